// Backend selection for the command line: the fast backend (wasm SIMD, one thread per core) by
// default; LLMFS_BACKEND=js keeps the reference kernels, LLMFS_THREADS=n sets the thread count.
// If the fast backend cannot start, a warning is printed and the reference kernels stay.

export async function useBackendFromEnv(env: Record<string, string | undefined>): Promise<void> {
  const choice = (env.LLMFS_BACKEND ?? 'wasm').toLowerCase();
  if (choice === 'js') return;
  if (choice !== 'wasm') {
    console.error(
      `warning: LLMFS_BACKEND must be 'wasm' or 'js', got '${choice}': using the reference kernels`,
    );
    return;
  }
  const threads = env.LLMFS_THREADS === undefined ? undefined : Number(env.LLMFS_THREADS);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    console.error(
      `warning: LLMFS_THREADS must be a whole number >= 1, got '${env.LLMFS_THREADS}': using one per core`,
    );
  }
  try {
    const { useFastBackend } = await import('./node.js');
    await useFastBackend({
      threads: threads !== undefined && Number.isInteger(threads) && threads >= 1 ? threads : undefined,
    });
  } catch (err) {
    console.error(
      `warning: the wasm backend did not start (${(err as Error).message}); using the reference kernels ` +
        `(npm run build:wasm rebuilds it)`,
    );
  }
}
