import { StewardError } from './errors.ts';

export interface ConfigIssue {
  variable: string;
  message: string;
}

/**
 * The environment holds a value steward cannot use: the process must not start, and retrying
 * changes nothing. The message names each variable and what is wrong, never the value (it may
 * be a secret).
 */
export class ConfigError extends StewardError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super('invalid_config', `invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`, {
      kind: 'validation',
      retryable: false,
      details: issues,
    });
    this.issues = issues;
  }
}
