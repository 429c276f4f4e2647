/** A UUIDv7: 48 bits of epoch milliseconds, then random bits (RFC 9562). */
export const uuidV7 = (now: number, random: () => number): string => {
  let h = now.toString(16).padStart(12, '0');
  for (let i = 0; i < 20; i++) h += ((random() * 16) | 0).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-${'89ab'[(random() * 4) | 0]}${h.slice(17, 20)}-${h.slice(20)}`;
};
