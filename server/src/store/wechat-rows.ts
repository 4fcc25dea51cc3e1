/**
 * Row readers of the WeChat tables, shared by both engines. Hand-written rather than column maps
 * (columns.ts): the code image is bytes, which the maps' value kinds do not cover.
 */
import { scalarText, type Row } from './columns';
import type { AccessTokenRecord, LinkCodeRecord, LinkUrlLinkRecord } from './records';

/** A `link_codes` row. */
export function linkCodeFromRow(row: Row): LinkCodeRecord {
  const image = row.image;
  return {
    linkId: scalarText(row.link_id),
    envVersion: scalarText(row.env_version),
    // better-sqlite3 and pg both hand BLOB/BYTEA out as a Buffer; a Uint8Array is copied into one.
    image: Buffer.isBuffer(image) ? image : Buffer.from(image as Uint8Array),
    contentType: scalarText(row.content_type),
    createdAt: Number(row.created_at),
  };
}

/** A `link_url_links` row. */
export function linkUrlLinkFromRow(row: Row): LinkUrlLinkRecord {
  return {
    linkId: scalarText(row.link_id),
    envVersion: scalarText(row.env_version),
    url: scalarText(row.url),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

/** A `wechat_access_tokens` row, or undefined while it holds only a lease (no token fetched yet). */
export function accessTokenFromRow(row: Row | undefined): AccessTokenRecord | undefined {
  if (row === undefined || row.access_token === null || row.access_token === undefined || row.expires_at === null) return undefined;
  return { appId: scalarText(row.app_id), token: scalarText(row.access_token), expiresAt: Number(row.expires_at) };
}
