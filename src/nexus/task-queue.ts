/**
 * The task queue of the Nexus handlers and their wrapper workflows: a queue of its own because its
 * worker speaks in clear (boundary-converter.ts) while the main queue's worker encrypts. The
 * endpoint targets it: `temporal operator nexus endpoint create --target-task-queue <this>`.
 */
export function nexusTaskQueue(taskQueue: string): string {
  return `${taskQueue}-nexus`;
}
