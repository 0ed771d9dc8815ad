/**
 * The files a pull-request body gives a reviewer to commit (its "values from before" blocks):
 * each block follows a line `<path>:` and is fenced as YAML. Read as the reviewer would copy them.
 */
export function filesInBody(body: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of body.matchAll(/^(\S+\.yaml):\n\n(`{3,})yaml\n([\s\S]*?)\n\2$/gm))
    files.set(m[1], `${m[3]}\n`);
  return files;
}
