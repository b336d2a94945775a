/** Reads a File the user dropped, pasted or picked as base64 for the engine. */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // Chunked to stay under the argument-count limit of String.fromCharCode.
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export const ACCEPTED_IMAGE_TYPES = '.jpg,.jpeg,.png,.webp,.tif,.tiff,.avif,.gif,image/*';
