import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from './errors';
import { neutraliseCommands } from './text';

/**
 * Runs a task body: a UserError fails the task with its message only (no stack trace); anything
 * else is a bug, reported with its message and the stack in the debug log.
 */
export async function runTaskMain(taskDirectory: string, body: () => Promise<void>): Promise<void> {
  tl.setResourcePath(path.join(taskDirectory, 'task.json'));
  try {
    await body();
  } catch (err) {
    if (err instanceof UserError) {
      tl.setResult(tl.TaskResult.Failed, neutraliseCommands(err.message));
    } else {
      const error = err instanceof Error ? err : new Error(String(err));
      tl.debug(error.stack ?? error.message);
      tl.setResult(tl.TaskResult.Failed, `Unexpected error: ${neutraliseCommands(error.message)}. Run with system.debug=true for details and report it.`);
    }
  }
}

/** A boolean input given as text ('true'/'false', any case); anything else is a user error. */
export function booleanInput(name: string, defaultValue: boolean): boolean {
  const raw = tl.getInput(name)?.trim().toLowerCase();
  if (!raw) return defaultValue;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UserError(`Input ${name} must be true or false, not '${raw}'.`);
}

/** A text input, trimmed; empty means unset. */
export function textInput(name: string): string | undefined {
  const value = tl.getInput(name)?.trim();
  return value ? value : undefined;
}
