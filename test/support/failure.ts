/** The error a call fails with, as the AWS SDK reports it; fails the test if the call succeeds. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}
