package org.securecomm.bench.xmpp;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The ejabberd.yml of a benchmark server: one virtual host, plain c2s on loopback (no TLS, like the
 * relay's dev node on ws://), the HTTP API for registration and counters, no traffic shaper
 * (Debian's default, 3,000 bytes/s per connection, would be what gets measured), a high offline
 * queue limit (Debian's default 100 bounces the rest), and offline messages in mnesia on disc:
 * what ejabberd persists for a recipient who is not connected.
 */
record EjabberdConfig(String domain, int c2sPort, int apiPort, int backlog, Path dir, String extra) {

    Path file() {
        return dir.resolve("ejabberd.yml");
    }

    Path spool() {
        return dir.resolve("spool");
    }

    Path logDir() {
        return dir.resolve("logs");
    }

    Path log() {
        return logDir().resolve("ejabberd.log");
    }

    Path stdout() {
        return logDir().resolve("stdout.log");
    }

    Path pidFile() {
        return dir.resolve("beam.pid");
    }

    String render() {
        // plain passwords: SASL PLAIN costs nothing on either side; SCRAM would add PBKDF2 to every login.
        return String.format(Locale.ROOT, """
                loglevel: warning
                log_rotate_count: 0
                hosts: [%1$s]
                listen:
                  - {port: %2$d, ip: "127.0.0.1", module: ejabberd_c2s, max_stanza_size: 262144,
                     shaper: none, access: c2s, starttls_required: false, backlog: %4$d}
                  - {port: %3$d, ip: "127.0.0.1", module: ejabberd_http, request_handlers: {/api: mod_http_api}, backlog: 1024}
                auth_method: internal
                auth_password_format: plain
                acl: {loopback: {ip: [127.0.0.0/8]}}
                access_rules: {c2s: {allow: all}, register: {allow: all}}
                api_permissions: {"loopback admin": {who: {ip: 127.0.0.0/8}, what: ["*"]}}
                shaper_rules:
                  max_user_sessions: 10
                  max_user_offline_messages: 1000000
                  c2s_shaper: none
                modules:
                  mod_offline: {db_type: mnesia, access_max_user_messages: max_user_offline_messages}
                  mod_register: {access: register, ip_access: all}
                  mod_roster: {}
                  mod_stream_mgmt: {}
                  mod_ping: {}
                  mod_disco: {}
                  mod_admin_extra: {}
                %5$s
                """, domain, c2sPort, apiPort, backlog, extra);
    }
}
