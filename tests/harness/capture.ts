// Captures what code under test prints on stdout (task-lib writes logging commands there).

/** Runs fn with stdout captured; returns fn's result and the text. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: Error; log: string }> {
  const write = process.stdout.write;
  let log = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    log += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), log };
  } catch (error) {
    return { error: error as Error, log };
  } finally {
    process.stdout.write = write;
  }
}
