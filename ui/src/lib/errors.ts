// Errors from the shell arrive as { kind, message }; anything else (a crash in the bridge, a
// string) is turned into the same shape so every screen can show a readable message.

export interface AppError {
  kind: string;
  /** Plain words for the advisor. */
  message: string;
  /** The technical cause (paths, addresses, library messages), shown under "Details". */
  detail?: string | null;
}

export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "message" in e) {
    const o = e as { kind?: unknown; message?: unknown; detail?: unknown };
    return {
      kind: typeof o.kind === "string" ? o.kind : "internal",
      message: String(o.message || "Something went wrong."),
      detail: typeof o.detail === "string" && o.detail ? o.detail : null,
    };
  }
  // A string thrown by the bridge is a technical cause, not something to headline.
  if (typeof e === "string" && e.trim()) return { kind: "internal", message: "Something went wrong. Try again.", detail: e };
  return { kind: "internal", message: "Something went wrong. Try again." };
}

/** A short title for an error banner, by kind. */
export function errorTitle(kind: string): string {
  switch (kind) {
    case "wrong_passphrase":
      return "Wrong passphrase";
    case "passphrase_required":
      return "Passphrase needed";
    case "keyring_unavailable":
      return "Keyring not available";
    case "relay_unreachable":
      return "Relay unreachable";
    case "relay_refused":
      return "Relay refused this device";
    case "relay_untrusted":
      return "Relay no longer trusted: the firm's archive history changed";
    case "firm_policy":
      return "Not allowed by your firm's policy";
    case "bad_code":
      return "Enrollment code not accepted";
    case "not_enrolled":
      return "Not connected to a relay";
    case "model_missing":
      return "Transcription model missing";
    case "model_download_failed":
      return "Model download failed";
    case "cancelled":
      return "Cancelled";
    case "not_found":
      return "Not found";
    case "invalid":
      return "Check the details";
    case "locked":
      return "Profile locked";
    case "update_rejected":
      return "Update refused";
    case "update_unreachable":
      return "Update feed unreachable";
    case "update_failed":
      return "Update not installed";
    case "updates_off":
      return "Updates unavailable";
    default:
      return "Something went wrong";
  }
}
