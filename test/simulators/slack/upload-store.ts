import { mintOpaqueToken, mintSlackId } from './slack-ids';

/**
 * An upload started by `files.getUploadURLExternal` and not yet completed
 * (slack-liquid.md A3 step 1, A8.4).
 */
export interface UploadTicket {
  /** The `file_id` handed to the client (`F…`). */
  readonly fileId: string;
  /** The opaque last path segment of `uploadUrl`. */
  readonly opaque: string;
  readonly uploadUrl: string;
  readonly filename: string;
  /** The `length` the client declared; the upload must match it. */
  readonly declaredLength: number;
  readonly snippetType?: string;
  readonly altText?: string;
  readonly createdAt: Date;
  /** The bytes POSTed to `uploadUrl`, once they arrived (slack-liquid.md A3 step 2). */
  bytes?: Buffer;
  uploadedAt?: Date;
  /** How many successful POSTs reached `uploadUrl` (the last one wins). */
  uploadCount: number;
}

/** A file finished by `files.completeUploadExternal` (slack-liquid.md A3 step 3, A8.6). */
export interface CompletedFile {
  readonly id: string;
  readonly title: string;
  readonly filename: string;
  readonly bytes: Buffer;
  /** Channel IDs the file was shared to; empty when the file was completed without a destination. */
  readonly channels: readonly string[];
  /** True when no destination was given: "If not specified the file will be private" (files.completeUploadExternal docs). */
  readonly isPrivate: boolean;
  readonly initialComment?: string;
  readonly threadTs?: string;
  /** `blocks` as sent (ignored by Slack when `initial_comment` is present). */
  readonly blocks?: unknown;
  readonly snippetType?: string;
  readonly completedAt: Date;
}

/** Upload tickets and completed files of one simulator. */
export class UploadStore {
  private readonly ticketsByFileId = new Map<string, UploadTicket>();
  private readonly ticketsByOpaque = new Map<string, UploadTicket>();
  private readonly completedIds = new Set<string>();
  readonly completed: CompletedFile[] = [];

  openTicket(input: {
    uploadUrlBase: string;
    filename: string;
    declaredLength: number;
    snippetType?: string;
    altText?: string;
  }): UploadTicket {
    let fileId = mintSlackId('F');
    while (this.ticketsByFileId.has(fileId) || this.completedIds.has(fileId)) fileId = mintSlackId('F');
    const opaque = mintOpaqueToken();
    const ticket: UploadTicket = {
      fileId,
      opaque,
      uploadUrl: `${input.uploadUrlBase}${opaque}`,
      filename: input.filename,
      declaredLength: input.declaredLength,
      snippetType: input.snippetType,
      altText: input.altText,
      createdAt: new Date(),
      uploadCount: 0,
    };
    this.ticketsByFileId.set(fileId, ticket);
    this.ticketsByOpaque.set(opaque, ticket);
    return ticket;
  }

  /** The pending ticket behind an upload URL, if it is still open. */
  ticketForOpaque(opaque: string): UploadTicket | undefined {
    return this.ticketsByOpaque.get(opaque);
  }

  /** The pending ticket for a file ID, if it is still open. */
  ticketForFileId(fileId: string): UploadTicket | undefined {
    return this.ticketsByFileId.get(fileId);
  }

  isCompleted(fileId: string): boolean {
    return this.completedIds.has(fileId);
  }

  pendingTickets(): UploadTicket[] {
    return [...this.ticketsByFileId.values()];
  }

  /** Closes the ticket (its upload URL stops working) and records the finished file. */
  complete(ticket: UploadTicket, file: Omit<CompletedFile, 'id' | 'filename' | 'bytes' | 'snippetType' | 'completedAt'>): CompletedFile {
    if (!ticket.bytes) throw new Error(`SlackSimulator: ticket ${ticket.fileId} has no bytes`);
    this.ticketsByFileId.delete(ticket.fileId);
    this.ticketsByOpaque.delete(ticket.opaque);
    this.completedIds.add(ticket.fileId);
    const completed: CompletedFile = {
      ...file,
      id: ticket.fileId,
      filename: ticket.filename,
      bytes: ticket.bytes,
      snippetType: ticket.snippetType,
      completedAt: new Date(),
    };
    this.completed.push(completed);
    return completed;
  }
}
