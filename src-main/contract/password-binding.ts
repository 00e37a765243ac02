/**
 * Which account a stored line password belongs to: the username it authenticates as and
 * the registrars (primary, then backups) it is sent to. The settings window (to warn as
 * the agent types) and the host (when it saves) apply the same rule, so it lives here,
 * free of anything but plain data.
 */
export interface PasswordBinding {
  username: string;
  registrars: readonly string[];
}

/**
 * Whether a line keeps its stored password through a settings change: only with the same
 * username and no registrar it was not entered for (dropping or reordering registrars
 * keeps it). Otherwise the password is cleared and must be typed again, so that a changed
 * setting cannot take a saved password to another server or another account.
 */
export function passwordStays(before: PasswordBinding, after: PasswordBinding): boolean {
  return before.username === after.username && after.registrars.every((r) => before.registrars.includes(r));
}
