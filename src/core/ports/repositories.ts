/** The Repositories port: what the board needs to know about a project's local git clone. */

export interface Repositories {
  /** True when `path` is (the top of) a git repository. */
  isRepository(path: string): Promise<boolean>;
  /** The branch pull requests target by default: origin's HEAD when known, else the checked-out branch. */
  defaultBranch(path: string): Promise<string | null>;
}
