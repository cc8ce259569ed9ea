/** RDS engines the database option supports, and what follows from an engine and its version. */
export const DATABASE_ENGINES = ["postgres", "mysql"] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** Engine versions RDS accepts as a prefix with auto_minor_version_upgrade: a major (postgres) or major.minor (mysql), optionally fully pinned. */
export const ENGINE_VERSIONS: Record<DatabaseEngine, { re: RegExp; allowed: string; default: string }> = {
  postgres: { re: /^1[3-9](\.\d+)?$/, allowed: 'a PostgreSQL major version from 13 to 19, optionally with the minor ("16" or "16.4")', default: "16" },
  mysql: { re: /^8\.[04](\.\d+)?$/, allowed: 'a MySQL version 8.0 or 8.4, optionally with the patch level ("8.0" or "8.0.39")', default: "8.0" },
};

/** Parameter group family of an engine version: `postgres16`, `mysql8.0`. */
export function parameterGroupFamily(engine: DatabaseEngine, version: string): string {
  const parts = version.split(".");
  return engine === "postgres" ? `postgres${parts[0]}` : `mysql${parts[0]}.${parts[1]}`;
}
