// Images configuration: the base image, Debian mirrors, CA bundle, cache and build network, from `VERDICT_*` or given.
import { z } from 'zod';

/** The default local base image, made by `ensureBaseImage`. */
export const LOCAL_BASE_REPO = 'verdict/base';
export const LOCAL_BASE_TAG = 'bookworm';
export const LOCAL_BASE_IMAGE = `${LOCAL_BASE_REPO}:${LOCAL_BASE_TAG}`;
export const DEFAULT_CACHE_DIR = '/var/cache/verdict';

/** Loose image reference check: [registry[:port]/]path[:tag][@digest]. */
const IMAGE_REFERENCE = /^[a-zA-Z0-9][a-zA-Z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/;

const optionalNonEmpty = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const ImagesConfigSchema = z.object({
  /** Registry base image used as is; unset means the local debootstrap base. */
  baseImage: z
    .string()
    .regex(IMAGE_REFERENCE, 'not a docker image reference')
    .optional(),
  /** Debian mirror for debootstrap and the base image's apt sources. */
  debianMirror: z.url({ protocol: /^(https?|file)$/ }).optional(),
  /** Mirror for bookworm-security inside the base image. */
  debianSecurityMirror: z.url({ protocol: /^https?$/ }).optional(),
  /** CA bundle injected into every build context; unset = the host default. */
  caBundle: z.string().min(1).optional(),
  /** Where the debootstrapped rootfs is cached. */
  cacheDir: z.string().min(1).default(DEFAULT_CACHE_DIR),
  /** Network for RUN steps of image builds (e.g. `host` where the engine's bridge has no route out); unset = the engine's default bridge. */
  buildNetwork: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/).optional(),
});
export type ImagesConfig = z.infer<typeof ImagesConfigSchema>;
export type ImagesConfigInput = z.input<typeof ImagesConfigSchema>;

const ImagesEnvSchema = z.object({
  VERDICT_BASE_IMAGE: optionalNonEmpty,
  VERDICT_DEBIAN_MIRROR: optionalNonEmpty,
  VERDICT_DEBIAN_SECURITY_MIRROR: optionalNonEmpty,
  VERDICT_CA_BUNDLE: optionalNonEmpty,
  VERDICT_CACHE_DIR: optionalNonEmpty,
  VERDICT_BUILD_NETWORK: optionalNonEmpty,
});

/** Validated image config from environment variables (`VERDICT_*`). */
export function imagesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ImagesConfig {
  const e = ImagesEnvSchema.parse(env);
  const parsed = ImagesConfigSchema.safeParse({
    baseImage: e.VERDICT_BASE_IMAGE,
    debianMirror: e.VERDICT_DEBIAN_MIRROR,
    debianSecurityMirror: e.VERDICT_DEBIAN_SECURITY_MIRROR,
    caBundle: e.VERDICT_CA_BUNDLE,
    cacheDir: e.VERDICT_CACHE_DIR,
    buildNetwork: e.VERDICT_BUILD_NETWORK,
  });
  if (!parsed.success) {
    const names: Record<string, string> = {
      baseImage: 'VERDICT_BASE_IMAGE',
      debianMirror: 'VERDICT_DEBIAN_MIRROR',
      debianSecurityMirror: 'VERDICT_DEBIAN_SECURITY_MIRROR',
      caBundle: 'VERDICT_CA_BUNDLE',
      cacheDir: 'VERDICT_CACHE_DIR',
      buildNetwork: 'VERDICT_BUILD_NETWORK',
    };
    const msg = parsed.error.issues
      .map((i) => `${names[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`)
      .join('; ');
    throw new Error(`invalid image configuration: ${msg}`);
  }
  return parsed.data;
}

/** The given config, validated with its defaults, or the one from the environment. */
export function resolveConfig(config: ImagesConfigInput | undefined): ImagesConfig {
  return config === undefined ? imagesConfigFromEnv() : ImagesConfigSchema.parse(config);
}

/**
 * The reference used for `ARG BASE` of every sandbox Dockerfile: a registry
 * image the user configured (`VERDICT_BASE_IMAGE`, e.g.
 * `debian:bookworm-slim`) or, by default, the local `verdict/base:bookworm`,
 * which `ensureBaseImage` creates with debootstrap + `docker import` so no
 * registry is needed.
 */
export function baseImage(config: Pick<ImagesConfigInput, 'baseImage'>): string {
  return config.baseImage ?? LOCAL_BASE_IMAGE;
}

/** True when the base is the local debootstrap image rather than a registry one. */
export function usesLocalBase(config: Pick<ImagesConfigInput, 'baseImage'>): boolean {
  return config.baseImage === undefined || config.baseImage === LOCAL_BASE_IMAGE;
}
