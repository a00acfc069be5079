import bcrypt from 'bcryptjs';

/** bcrypt reads at most 72 bytes; longer inputs are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 8;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  return null;
}

export class PasswordHasher {
  /** Compared against when the email is unknown, so that case costs what a wrong password costs. */
  private readonly decoy: string;

  constructor(private readonly cost: number) {
    this.decoy = bcrypt.hashSync('decoy password nobody has', cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /** Always runs one bcrypt comparison, whether or not there is a stored hash. */
  async verify(password: string, storedHash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, storedHash ?? this.decoy);
    return matches && storedHash !== undefined;
  }
}
