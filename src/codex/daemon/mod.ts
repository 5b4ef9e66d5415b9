/**
 * The Codex daemon channel: structured live status, approvals, answers and turns for interactive
 * Codex 0.169+ sessions over `$CODEX_HOME/app-server-control/app-server-control.sock`.
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
  answerApproval,
  answerRequest,
  answerUserInput,
  type AttachedThread,
  attachThread,
  awaitPendingRequests,
  connectDaemon,
  currentStatus,
  interruptTurn,
  listLoadedThreads,
  pendingRequestsFor,
  startTurn,
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
export { type ReplyMode, replyOnThread } from "./reply.ts";
export { sendOnThread } from "./send.ts";
export { applyApprovalPolicy, approvalSubject } from "./auto_approve.ts";
export { type DaemonDoctorCheck, daemonDoctorCheck } from "./doctor.ts";
