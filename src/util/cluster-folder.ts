/**
 * The folder a cluster's tree lives in, `<path>/<folder>/`, shared by the layout (`tars plan`,
 * `tars synth`) and delivery (`tars propose`, whose branch is `tars/<folder>/<concern>`).
 */

/** The cluster's folder: its name with anything unsafe in a path replaced, never hidden. */
export function clusterFolderName(clusterName: string): string {
  return clusterName.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\./, '-');
}
