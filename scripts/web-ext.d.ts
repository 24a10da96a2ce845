/** The part of web-ext's programmatic API the scripts use (web-ext ships no types). */
declare module 'web-ext' {
  interface BuildParams {
    sourceDir: string;
    artifactsDir: string;
    filename?: string;
    overwriteDest?: boolean;
  }
  const webExt: {
    cmd: {
      build(
        params: BuildParams,
        options?: { shouldExitProgram?: boolean; showReadyMessage?: boolean },
      ): Promise<{ extensionPath: string }>;
    };
  };
  export default webExt;
}
