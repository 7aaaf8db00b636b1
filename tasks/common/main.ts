import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from './errors';
import { neutraliseCommands } from './text';

/**
 * Runs a task body: a UserError fails the task with its message only (no stack trace); anything
 * else is a bug, reported with its message and the stack in the debug log.
 */
export async function runTaskMain(taskDirectory: string, body: () => Promise<void>): Promise<void> {
  try {
    tl.setResourcePath(path.join(taskDirectory, 'task.json'));
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
