/** Captures console.log and console.error lines until `restore()`. */
export function captureConsole() {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = jest.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  return { out, err, restore: () => (log.mockRestore(), error.mockRestore()) };
}
