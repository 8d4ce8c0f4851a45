const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `call` until it resolves, up to 40 times 250 ms apart: a CRD installed a moment ago can answer "storage
 * is (re)initializing" for a few seconds.
 */
export async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 40) throw error;
      await sleep(250);
    }
  }
}
