/** The parts of Heroku's dyno object dynopulse reads (heroku.md §6.1). */
export interface HerokuDyno {
  id: string;
  name: string;
  command: string;
  size: string;
  state: string;
  attach_url: string | null;
  /** Its process type (`web`, `run`, …). */
  type?: string;
}
