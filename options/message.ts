/** A user-facing message from pure code: an `options_*` i18n key and its `$1`… substitutions. */
export interface Message {
  key: string;
  args?: Array<string | number>;
}
