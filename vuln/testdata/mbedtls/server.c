/*
 * mbedtls-http: a minimal HTTPS server on Mbed TLS 2.28 for padlock's
 * vulnerability tests (issue 12). It uses MBEDTLS_SSL_PRESET_DEFAULT and
 * answers every connection with a short HTTP response after one read,
 * even when the read failed: the application ignores the TLS error, as
 * the servers that drew a false POODLE TLS verdict did. Each connection
 * is served by a child process.
 *
 * usage: mbedtls-http PORT CERT KEY MINVER MAXVER
 *   MINVER, MAXVER: 1 = TLS 1.0, 2 = TLS 1.1, 3 = TLS 1.2
 * It prints "ready" once listening and, for each connection, what the
 * read returned ("read -0x7180" for MBEDTLS_ERR_SSL_INVALID_MAC).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

static const char response[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

static int serve(mbedtls_net_context *client, mbedtls_ssl_config *conf) {
    mbedtls_ssl_context ssl;
    unsigned char buf[4096];
    int ret;

    mbedtls_ssl_init(&ssl);
    if ((ret = mbedtls_ssl_setup(&ssl, conf)) != 0)
        return ret;
    mbedtls_ssl_set_bio(&ssl, client, mbedtls_net_send, mbedtls_net_recv, NULL);
    while ((ret = mbedtls_ssl_handshake(&ssl)) != 0) {
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            printf("handshake -0x%04x\n", (unsigned)-ret);
            fflush(stdout);
            goto out;
        }
    }
    ret = mbedtls_ssl_read(&ssl, buf, sizeof buf);
    if (ret < 0)
        printf("read -0x%04x\n", (unsigned)-ret);
    else
        printf("read %d bytes\n", ret);
    fflush(stdout);
    /* Answer whatever the read said. */
    ret = mbedtls_ssl_write(&ssl, (const unsigned char *)response, sizeof response - 1);
    printf("write %d\n", ret);
    fflush(stdout);
    mbedtls_ssl_close_notify(&ssl);
out:
    mbedtls_ssl_free(&ssl);
    return 0;
}

int main(int argc, char **argv) {
    mbedtls_net_context listen_fd, client;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    int ret;

    if (argc != 6) {
        fprintf(stderr, "usage: %s PORT CERT KEY MINVER MAXVER\n", argv[0]);
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);
    mbedtls_net_init(&listen_fd);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&cert);
    mbedtls_pk_init(&key);

    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0)) != 0 ||
        (ret = mbedtls_x509_crt_parse_file(&cert, argv[2])) != 0 ||
        (ret = mbedtls_pk_parse_keyfile(&key, argv[3], NULL)) != 0 ||
        (ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0 ||
        (ret = mbedtls_ssl_conf_own_cert(&conf, &cert, &key)) != 0) {
        fprintf(stderr, "setup failed: -0x%04x\n", (unsigned)-ret);
        return 1;
    }
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, atoi(argv[4]));
    mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, atoi(argv[5]));

    if ((ret = mbedtls_net_bind(&listen_fd, "127.0.0.1", argv[1], MBEDTLS_NET_PROTO_TCP)) != 0) {
        fprintf(stderr, "bind failed: -0x%04x (address already in use?)\n", (unsigned)-ret);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        mbedtls_net_init(&client);
        if (mbedtls_net_accept(&listen_fd, &client, NULL, 0, NULL) != 0)
            continue;
        pid_t pid = fork();
        if (pid == 0) {
            /* close, not mbedtls_net_free: its shutdown would stop the
             * parent's listening socket too. */
            close(listen_fd.fd);
            /* A fresh DRBG state per child. */
            mbedtls_ctr_drbg_reseed(&drbg, NULL, 0);
            serve(&client, &conf);
            mbedtls_net_free(&client);
            _exit(0);
        }
        close(client.fd);
    }
}
