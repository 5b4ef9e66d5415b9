/**
 * A stored handle on a herdr pane, and how to take one from a pane record.
 *
 * @module
 */
import type { AgentInfo, PaneInfo } from "./protocol.ts";

/** A stored handle on a pane: survives legacy renumbering (keyed on `terminal_id`). */
export interface PaneRef {
  /** The pane id last seen (stable on herdr ≥0.7, a shifting slot on ≤0.6). */
  pane_id: string;
  /** Stable for the pane's whole life on every herdr version. */
  terminal_id: string;
  workspace_id: string;
  tab_id: string;
}

/** Builds a {@linkcode PaneRef} from a pane record. */
export function refOf(pane: PaneInfo | AgentInfo): PaneRef {
  return {
    pane_id: pane.pane_id,
    terminal_id: pane.terminal_id,
    workspace_id: pane.workspace_id,
    tab_id: pane.tab_id,
  };
}
