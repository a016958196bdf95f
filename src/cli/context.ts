/** What a command may touch besides its arguments: injected so commands are testable in-process. */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (progress bars only then). */
  isTTY?: boolean;
}
