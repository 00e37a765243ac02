/*
 * libsrtp 2 as an independent SRTP peer for LineDesk's interop test (test/integration/srtp-libsrtp.test.ts).
 *
 *   srtp-peer <80|32> <hex master key||salt, 30 bytes> <protect|unprotect> <rtp|rtcp>
 *
 * Reads one packet per line on stdin (hex), writes one line per packet on stdout: the
 * packet protected or unprotected (hex), or "ERR <libsrtp status>" when libsrtp refuses it.
 * One session per run, any SSRC; SRTCP always uses the 80-bit tag (RFC 4568).
 */
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unhex(const char *s, unsigned char *out, int max)
{
    int n = 0;
    while (s[0] && s[1] && s[0] != '\n' && n < max) {
        unsigned int b;
        if (sscanf(s, "%2x", &b) != 1) return -1;
        out[n++] = (unsigned char)b;
        s += 2;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: srtp-peer <80|32> <hex key> <protect|unprotect> <rtp|rtcp>\n");
        return 2;
    }
    int tag32 = strcmp(argv[1], "32") == 0;
    int protect = strcmp(argv[3], "protect") == 0;
    int rtcp = strcmp(argv[4], "rtcp") == 0;
    unsigned char key[SRTP_MAX_KEY_LEN];
    if (unhex(argv[2], key, sizeof key) != 30) {
        fprintf(stderr, "the key must be 30 bytes of hex\n");
        return 2;
    }
    if (srtp_init() != srtp_err_status_ok) return 3;
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    if (tag32) srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    else srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = protect ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = key;
    policy.window_size = 128;
    policy.next = NULL;
    srtp_t session;
    if (srtp_create(&session, &policy) != srtp_err_status_ok) return 3;

    static char line[8192];
    static unsigned char buf[4096 + SRTP_MAX_TRAILER_LEN];
    while (fgets(line, sizeof line, stdin)) {
        int len = unhex(line, buf, 4096);
        if (len < 0) {
            printf("ERR hex\n");
            continue;
        }
        srtp_err_status_t st;
        if (protect) st = rtcp ? srtp_protect_rtcp(session, buf, &len) : srtp_protect(session, buf, &len);
        else st = rtcp ? srtp_unprotect_rtcp(session, buf, &len) : srtp_unprotect(session, buf, &len);
        if (st != srtp_err_status_ok) {
            printf("ERR %d\n", (int)st);
            continue;
        }
        for (int i = 0; i < len; i++) printf("%02x", buf[i]);
        printf("\n");
    }
    srtp_dealloc(session);
    srtp_shutdown();
    return 0;
}
