/** The 25 file names every target of bench/requests.mjs lists. */
export const NAMES = Array.from({ length: 25 }, (_, i) => `file-${String(i + 1).padStart(2, '0')}.txt`);
