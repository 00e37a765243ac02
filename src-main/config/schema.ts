import { isIP } from 'node:net';
import { z } from 'zod';
import { mediaEncryptions, strategyNames } from '../contract/vocabulary.js';
import { sourceEntryError } from '../sip/security/source-list.js';
import { integrationsSchema } from './integrations-schema.js';
import { parseReferPattern } from './refer-patterns.js';

/** "host:port" or "[v6]:port"; port 0 means "any free port". */
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/, 'must be "host:port", e.g. "127.0.0.1:5060" or "0.0.0.0:0"');

const sipUri = z.string().regex(/^sips?:[^\s]+$/i, 'must be a sip: or sips: URI, e.g. "sip:pbx.example.com:5060"');
const aorUri = z.string().regex(/^sips?:[^@\s:;]+@[^\s]+$/i, 'must be a SIP address of record with a user, e.g. "sip:200@pbx.example.com"');

export const protocols = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;
const protocol = z.enum(protocols, { message: `must be one of ${protocols.join(', ')}` });

const transportSchema = z.strictObject({
  protocol,
  /** Local address; for TCP/TLS/WS the source address of outgoing connections. */
  bind: hostPort.default('0.0.0.0:0'),
  /** WebSocket path on the server (ws/wss only). */
  path: z.string().startsWith('/').default('/'),
});

const mediaModes = ['device', 'echo', 'file', 'listen'] as const;
const dtmfMethods = ['auto', 'rfc4733', 'info'] as const;
/** SRTP with SDES keys; the default depends on the line's transport (config/media-encryption.ts). */
const encryption = z.enum(mediaEncryptions, { message: `must be one of ${mediaEncryptions.join(', ')}` });

/** Per-line media: how the line's calls get their audio, and which devices. */
const lineMediaSchema = z.strictObject({
  /** device: the headset; echo/file/listen: service lines. Default: device, or echo for auto-answer lines. */
  mode: z.enum(mediaModes).optional(),
  /** WAV file played by "file" lines (relative to the config file). */
  file: z.string().optional(),
  headset: z.string().max(256).optional(),
  microphone: z.string().max(256).optional(),
  ringer: z.string().max(256).optional(),
  /** How this line sends DTMF: RFC 4733 when negotiated (auto), always RFC 4733, or SIP INFO. */
  dtmf: z.enum(dtmfMethods).optional(),
  /** SRTP for this line's calls: off, optional or mandatory (default: media.encryption, else by transport). */
  encryption: encryption.optional(),
});

/** A REFER target pattern (refer-patterns.ts): "sip:1*@pbx.example.com". */
const referPattern = z
  .string()
  .max(256)
  .superRefine((text, ctx) => {
    const p = parseReferPattern(text);
    if (typeof p === 'string') ctx.addIssue({ code: 'custom', message: p });
  });

const registrarSchema = z.strictObject({
  uri: sipUri,
  /** Tried in order when the current registrar fails. */
  backups: z.array(sipUri).default([]),
});

/** Call recording (docs/recording.md): never, every call, or when the agent asks. */
const recordingMode = z.enum(['off', 'all', 'on-demand']);

const recordingSchema = z.strictObject({
  mode: recordingMode.default('off'),
  /** The folder of the recordings (created 0700), relative to the config file. */
  dir: z.string().min(1).default('recordings'),
  /** wav: 16-bit PCM; opus: Opus in Ogg. Stereo either way: left the caller, right the agent. */
  format: z.enum(['wav', 'opus']).default('wav'),
  /** Recordings older than this many days are deleted (at start and daily); 0 keeps them. */
  retentionDays: z.number().int().min(0).max(36_500).default(0),
  /** A WAV file the caller hears before the call is connected, when it is recorded (relative to the config file). */
  consent: z.string().min(1).optional(),
});

const lineSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, "_", "." or "-"'),
  aor: aorUri,
  username: z.string().min(1, 'must not be empty'),
  password: z.string(),
  displayName: z.string().max(64).optional(),
  /** Which configured transport this line uses; the first one by default. */
  transport: protocol.optional(),
  /** Service lines answer by themselves after this many ms (0 = at once). */
  autoAnswerMs: z.number().int().min(0).max(600_000).optional(),
  /** Calls the line may hold at once. Service lines may take many. */
  maxCalls: z.number().int().min(1).max(10_000).optional(),
  /** Requested registration expiry in seconds. */
  expiresSec: z.number().int().min(30).max(86_400).optional(),
  /** This line's own registrar, when it differs from the global one (e.g. the PBX's TLS or WS port). */
  registrar: registrarSchema.optional(),
  /** The q-value registered with the Contact (RFC 3261 §10.2.1.2): PBXs that fork by q ring higher ones first. */
  q: z.number().min(0).max(1).optional(),
  media: lineMediaSchema.optional(),
  /** This line's recording mode (default: recording.mode). */
  recording: recordingMode.optional(),
  /** Service lines: where the far end may send the line's calls by REFER; any other target is refused (603). */
  allowReferTo: z.array(referPattern).max(100).optional(),
  /** Subscribe to the line's voicemail light (RFC 3842 message-summary); unsolicited NOTIFYs from the PBX are taken either way. */
  mwi: z.boolean().optional(),
});

const timersSchema = z.strictObject({
  t1: z.number().int().min(50).max(10_000).default(500),
  t2: z.number().int().min(500).max(60_000).default(4_000),
  t4: z.number().int().min(500).max(60_000).default(5_000),
  registerExpiresSec: z.number().int().min(30).max(86_400).default(600),
  refreshPercent: z.number().int().min(50).max(99).default(85),
  retryMinMs: z.number().int().min(100).max(600_000).default(1_000),
  retryMaxMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
  heartbeatMs: z.number().int().min(0).max(3_600_000).default(30_000),
  heartbeatMisses: z.number().int().min(1).max(20).default(2),
  unregisterTimeoutMs: z.number().int().min(100).max(60_000).default(2_000),
  /** CRLF (TCP/TLS) or WebSocket ping interval; 0 disables. */
  keepAliveMs: z.number().int().min(0).max(600_000).default(30_000),
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});

/** A DNS server: "10.0.0.53", "10.0.0.53:5353", "2001:db8::53" or "[2001:db8::53]:5353". */
const dnsServer = z.string().refine((s) => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3}))(?::(\d{1,5}))?$/.exec(s);
  if (m) return isIP(m[1] ?? m[2] ?? '') !== 0 && (m[3] === undefined || (Number(m[3]) > 0 && Number(m[3]) < 65536));
  return isIP(s) === 6;
}, 'must be an IP address with an optional port, e.g. "10.0.0.53", "10.0.0.53:5353" or "[2001:db8::53]:53"');

/** RFC 3263: how registrar and outbound-proxy host names are resolved (NAPTR → SRV → A/AAAA). */
const dnsSchema = z.strictObject({
  /** The DNS servers to ask; the system's when empty. */
  servers: z.array(dnsServer).max(8).default([]),
  /** How long a target that failed (timeout, 503, refused, reset) is skipped, by every line. */
  failedTargetSkipSec: z.number().int().min(1).max(3_600).default(30),
  /** Longest reuse of one answer: node reports no TTL for NAPTR and SRV records (A/AAAA TTLs are honoured below this). */
  maxCacheSec: z.number().int().min(1).max(86_400).default(300),
});

/** A desk behind a NAT (UDP lines): how it stays reachable for calls. */
const natSchema = z.strictObject({
  /** Put the address the registrar saw us at (Via received/rport of the REGISTER answer, RFC 3581) in the Contact. */
  contactFromVia: z.boolean().default(true),
  /** RFC 5626 outbound: +sip.instance and reg-id in REGISTER; a registrar that answers Require: outbound keeps the flow itself. */
  outbound: z.boolean().default(false),
  /** A CRLF keep-alive from the UDP socket to each registrar this often; keep it under the NAT's UDP timeout (often 30 s). 0: none. */
  keepAliveMs: z.number().int().min(0).max(600_000).default(20_000),
});

/** Who may send signalling, and where credentials may go. */
const securitySchema = z.strictObject({
  /**
   * IPs and CIDR ranges that may send requests besides the registrars, backups and outbound
   * proxy (resolved): the other nodes of a PBX cluster. They may also address a line by its AOR.
   */
  trustedSources: z
    .array(z.string().refine((s) => sourceEntryError(s) === undefined, { error: (issue) => sourceEntryError(String(issue.input)) ?? 'bad address' }))
    .max(256)
    .default([]),
  digest: z
    .strictObject({
      /** MD5 answers MD5 and SHA-256 challenges; SHA-256 refuses MD5. */
      minAlgorithm: z.enum(['MD5', 'SHA-256']).default('MD5'),
      /** Answer RFC 2069 challenges (no qop). */
      allowNoQop: z.boolean().default(false),
    })
    .prefault({}),
});

/** RFC 4028 session timers: a call is refreshed (re-INVITE or UPDATE) at half the interval; one nobody refreshes ends. */
const sessionTimersSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The interval our INVITEs ask for (Session-Expires), seconds. */
  expiresSec: z.number().int().min(1).max(86_400).default(1800),
  /** The smallest interval we accept (Min-SE); smaller requests get 422. RFC 4028 says at least 90; less only in tests. */
  minSeSec: z.number().int().min(1).max(86_400).default(90),
});

/** 3xx answers to our own calls: followed to their Contact targets, within limits (docs/pbx-guide.md says why). */
const redirectsSchema = z.strictObject({
  /** How many redirects one call may follow; 0: a 3xx ends the call. */
  maxHops: z.number().int().min(0).max(10).default(3),
});

/** Busy-lamp field (RFC 4235 dialog events): colleagues' extensions watched through the registrar. */
const extension = z.string().regex(/^[A-Za-z0-9_.+*#-]{1,32}$/, 'must be an extension: 1-32 letters, digits or _ . + * # -');
const presenceSchema = z.strictObject({
  /** Extensions to watch, each a string or {ext, label}. */
  watch: z.array(z.union([extension, z.strictObject({ ext: extension, label: z.string().min(1).max(64).optional() })])).max(100).default([]),
  /** The line whose registration the subscriptions go through (the first line by default). */
  line: z.string().optional(),
  /** Requested subscription lifetime; refreshed before it ends. */
  expiresSec: z.number().int().min(10).max(86_400).default(600),
});

const tlsSchema = z.strictObject({
  /** PEM file of the CA that signs the server certificate; system CAs when absent. */
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  servername: z.string().optional(),
  rejectUnauthorized: z.boolean().default(true),
});

/** Where the team database is (docs/team.md): a URL, or its parts; never a password (passwordFile). */
const teamDatabaseSchema = z.union([
  z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// URL (or an object: host, port, database, user, passwordFile, ssl)'),
  z.strictObject({
    url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// URL').optional(),
    host: z.string().min(1).max(255).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    database: z.string().min(1).max(63).optional(),
    user: z.string().min(1).max(63).optional(),
    /** A file holding the role's password (relative to the config file); the config never holds it. */
    passwordFile: z.string().min(1).optional(),
    /** TLS, verified by default; `false` only for a database on this machine or a trusted network. */
    ssl: z
      .union([
        z.literal(false),
        z.strictObject({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional(), servername: z.string().optional(), rejectUnauthorized: z.boolean().default(true) }),
      ])
      .optional(),
  }),
]);

const teamSchema = z.strictObject({
  database: teamDatabaseSchema,
  /** agent: ships its own records; supervisor: also reads the team's and watches their states live. */
  role: z.enum(['agent', 'supervisor']).default('agent'),
  /** Answered within this many seconds counts toward the service level. */
  serviceLevelSeconds: z.number().int().min(1).max(3_600).default(20),
  /** Longest wait between two attempts to reach the database while it is away. */
  retryMaxMs: z.number().int().min(100).max(600_000).default(5_000),
});

export const configSchema = z
  .strictObject({
    /** One transport object, or a list of them (one per protocol). Always a list after parsing. */
    transport: z.preprocess((v) => (Array.isArray(v) || v === undefined ? v : [v]), z.array(transportSchema).min(1, 'needs at least one transport')),
    registrar: registrarSchema,
    outboundProxy: sipUri.optional(),
    lines: z.array(lineSchema).min(1, 'needs at least one line').max(64),
    timers: timersSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    dns: dnsSchema.prefault({}),
    nat: natSchema.prefault({}),
    security: securitySchema.prefault({}),
    sessionTimers: sessionTimersSchema.prefault({}),
    redirects: redirectsSchema.prefault({}),
    presence: presenceSchema.prefault({}),
    limits: z
      .strictObject({
        maxMessageBytes: z.number().int().min(1_500).max(1_048_576).default(65_535),
        maxHeaderBytes: z.number().int().min(1_024).max(262_144).default(32_768),
      })
      .prefault({}),
    dispatch: z
      .strictObject({
        strategy: z.enum(strategyNames, { message: `must be one of ${strategyNames.join(', ')}` }).default('rrmemory'),
        /** How long one offer rings on a line before it moves to the next. */
        offerTimeoutMs: z.number().int().min(1).max(600_000).default(15_000),
        queue: z
          .strictObject({
            maxLength: z.number().int().min(0).max(10_000).default(10),
            maxWaitMs: z.number().int().min(1).max(3_600_000).default(60_000),
            overflowUri: sipUri.nullable().default(null),
          })
          .prefault({}),
      })
      .prefault({}),
    agent: z
      .strictObject({
        /** Wrap-up after each answered call, in seconds (0: straight back to Available). */
        wrapupSeconds: z.number().int().min(0).max(3_600).default(30),
        /** The reasons an agent can pause with. */
        pauseReasons: z.array(z.string().min(1).max(64)).min(1).max(32).default(['break', 'lunch', 'training', 'meeting', 'admin']),
        /** The state at start. */
        initialState: z.enum(['available', 'offline']).default('available'),
        /** The agent's stable id in the team database; default: the first line's username. */
        id: z.string().regex(/^[^\s]{1,64}$/, 'must be 1-64 characters without spaces').optional(),
        /** The agent's name as supervisors see it; default: the id. */
        name: z.string().min(1).max(128).optional(),
      })
      .prefault({}),
    store: z
      .strictObject({
        /** SQLite file for call records and statistics, relative to the config file; ":memory:" keeps nothing. */
        path: z.string().min(1).default('linedesk.sqlite'),
        /** SQLite `synchronous` in WAL mode: NORMAL survives a crash or kill of LineDesk; FULL also a power cut. */
        synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
      })
      .prefault({}),
    media: z
      .strictObject({
        /** Address for RTP; by default the local address that routes to the registrar. */
        address: z.string().optional(),
        rtpPortMin: z.number().int().min(1024).max(65534).default(20000),
        rtpPortMax: z.number().int().min(1025).max(65535).default(29999),
        ptimeMs: z.number().int().min(10).max(60).default(20),
        /** Codecs in our order of preference (Opus needs the audify module). */
        codecs: z.array(z.enum(['opus', 'PCMU', 'PCMA'])).min(1).default(['opus', 'PCMU', 'PCMA']),
        /** Sound card backend: auto picks the platform's when it works, else none ("null"). */
        audio: z.enum(['auto', 'pulse', 'alsa', 'null']).default('auto'),
        /** Default devices by name (null/absent: the system default). */
        headset: z.string().max(256).optional(),
        microphone: z.string().max(256).optional(),
        ringer: z.string().max(256).optional(),
        /** A WAV file to ring with instead of the built-in tone. */
        ringtone: z.string().optional(),
        /** Send RTP to where the far end's RTP comes from (for NAT). */
        symmetricRtp: z.boolean().default(true),
        /** Media worker threads (RTP, codecs, jitter buffers); absent: one per core; 0: media on the main thread. */
        workers: z.number().int().min(0).max(64).optional(),
        /** Run headset (device-mode) calls in the workers too; by default they stay on the main thread beside the sound card. */
        deviceCallsInWorkers: z.boolean().default(false),
        /**
         * Hang up a call (as failed) when nothing, RTP or RTCP, has come from the far end for this
         * long while its audio is expected (neither side holding): it went away without a BYE, and
         * the line would stay busy. 0: never.
         */
        rtpTimeoutSeconds: z.number().int().min(0).max(3600).default(60),
        jitterMinMs: z.number().int().min(0).max(200).default(20),
        jitterMaxMs: z.number().int().min(40).max(2000).default(400),
        dtmf: z.enum(dtmfMethods).default('auto'),
        /** SRTP for every line without its own; absent: optional on TLS/WSS lines, off on UDP/TCP/WS. */
        encryption: encryption.optional(),
      })
      .prefault({}),
    recording: recordingSchema.prefault({}),
    /** The shared team database (docs/team.md); without it, nothing leaves the desk. */
    team: teamSchema.optional(),
    /** CRM hooks: webhooks and the screen pop (docs/integrations.md). */
    integrations: integrationsSchema.prefault({}),
    log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error', 'off']).default('info') }).prefault({}),
    /** User-Agent (requests) and Server (answers): no version by default, so a scanner cannot pick exploits by it. */
    userAgent: z.string().max(128).default('LineDesk'),
  })
  .superRefine((cfg, ctx) => {
    const transports = cfg.transport;
    const seen = new Set<string>();
    transports.forEach((t, i) => {
      if (seen.has(t.protocol)) ctx.addIssue({ code: 'custom', path: ['transport', i, 'protocol'], message: `${t.protocol} is configured twice` });
      seen.add(t.protocol);
    });
    const ids = new Set<string>();
    cfg.lines.forEach((l, i) => {
      if (ids.has(l.id)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'id'], message: `duplicate line id "${l.id}"` });
      ids.add(l.id);
      if (l.transport && !seen.has(l.transport)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'transport'], message: `no ${l.transport} transport is configured` });
      // An agent line always asks its agent: a list there would silently do nothing.
      if (l.allowReferTo && l.autoAnswerMs === undefined) ctx.addIssue({ code: 'custom', path: ['lines', i, 'allowReferTo'], message: 'applies to service lines (autoAnswerMs) only: an agent line puts every REFER to its agent' });
    });
    if (cfg.media.rtpPortMax <= cfg.media.rtpPortMin) ctx.addIssue({ code: 'custom', path: ['media', 'rtpPortMax'], message: 'must be above rtpPortMin' });
    if (cfg.timers.t2 < cfg.timers.t1) ctx.addIssue({ code: 'custom', path: ['timers', 't2'], message: 'must not be smaller than t1' });
    if (cfg.team && cfg.store.path === ':memory:') ctx.addIssue({ code: 'custom', path: ['store', 'path'], message: 'team replication ships from the store file: store.path must be a file, not ":memory:"' });
    if (cfg.timers.retryMaxMs < cfg.timers.retryMinMs) ctx.addIssue({ code: 'custom', path: ['timers', 'retryMaxMs'], message: 'must not be smaller than retryMinMs' });
    if (cfg.presence.line !== undefined && !ids.has(cfg.presence.line)) ctx.addIssue({ code: 'custom', path: ['presence', 'line'], message: `no line "${cfg.presence.line}"` });
    const watched = new Set<string>();
    cfg.presence.watch.forEach((w, i) => {
      const ext = typeof w === 'string' ? w : w.ext;
      if (watched.has(ext)) ctx.addIssue({ code: 'custom', path: ['presence', 'watch', i], message: `${ext} is watched twice` });
      watched.add(ext);
    });
    if (cfg.sessionTimers.expiresSec < cfg.sessionTimers.minSeSec) ctx.addIssue({ code: 'custom', path: ['sessionTimers', 'expiresSec'], message: 'must not be smaller than minSeSec' });
  });

export type LineDeskConfig = z.infer<typeof configSchema>;
export type TransportConfig = z.infer<typeof transportSchema>;
export type LineConfig = z.infer<typeof lineSchema>;
export type TeamConfig = z.infer<typeof teamSchema>;
