/**
 * Runs a command-line entry point: its result becomes the exit code, and the process
 * exits shortly after even if a native library keeps a handle open (audify does, once a
 * stream has been opened).
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 200).unref();
    },
    (error: unknown) => {
      process.stderr.write(`linedesk: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
