/** Mail addresses as the popup shows them. */
import type { Address } from '../extension/store/schema.ts';

/** The short form for the list: the display name, else the address; '' when there is neither. */
export function senderLabel(from: Address | null): string {
  if (!from) return '';
  return from.name.trim() || from.address.trim();
}

/** The long form for the reader: `Name <address>`, or the bare address. */
export function formatAddress(a: Address): string {
  const name = a.name.trim();
  const address = a.address.trim();
  if (!name) return address;
  if (!address || name === address) return name;
  return `${name} <${address}>`;
}

/** A header's address list, comma separated. */
export function formatAddressList(list: readonly Address[]): string {
  return list.map(formatAddress).filter(Boolean).join(', ');
}
