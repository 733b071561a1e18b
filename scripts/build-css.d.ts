export function buildCss(options?: { force?: boolean }): Promise<boolean>;
