/**
 * The Codex daemon channel, as read: the JSON-RPC client, the protocol and its pending requests, and
 * the evidence of interactive Codex 0.169+ sessions over
 * `$CODEX_HOME/app-server-control/app-server-control.sock`. Driving over the channel (answers,
 * turns) is the daemon substrate's (`src/substrate/daemon.ts`); the doctor check is
 * `src/doctor/daemon_check.ts`.
 *
 * @module
 */
export { DaemonClient, type DaemonConnectOptions, type ServerRequest } from "./client.ts";
export { DAEMON_ERROR_CODES, type DaemonErrorCode, DaemonRpcError } from "./errors.ts";
export {
  CONTROL_SOCKET_RELATIVE,
  controlSocketPath,
  inspectSocket,
  resolveCodexHome,
} from "./socket_path.ts";
export {
  activeTurnId,
  type AttachedThread,
  attachThread,
  awaitPendingRequests,
  connectDaemon,
  currentStatus,
  listLoadedThreads,
  pendingRequestsFor,
  staleRequest,
  withDaemon,
} from "./operations.ts";
export {
  type ApprovalAnswer,
  decisionFor,
  type PendingApproval,
  type PendingRequest,
  PendingRequestSchema,
  type QuestionAnswer,
  userInputResult,
} from "./requests.ts";
export {
  type DaemonEvidence,
  DaemonEvidenceSchema,
  type DaemonReading,
  type DaemonUnavailable,
  DaemonUnavailableSchema,
  readDaemonEvidence,
} from "./evidence.ts";
