/** Directory of the sample records shipped with this package (reference captures and a synthetic day). */
export function samplesDirectory(): URL {
  return new URL('../samples/', import.meta.url);
}
