declare module 'libsignal/src/curve.js' {
  export function verifySignature(publicKey: Buffer, message: Buffer, signature: Buffer, isInit?: boolean): boolean;
}
