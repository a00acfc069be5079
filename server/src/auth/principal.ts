import type { Role, User } from '../db/database';

/** Who is calling: the user row without its secrets. */
export interface Principal {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toPrincipal(user: User): Principal {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    isActive: user.isActive,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

export const isAdmin = (principal: Principal) => principal.role === 'ADMIN';
