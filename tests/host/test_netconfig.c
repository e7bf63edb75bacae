// Host unit tests for servers/netroot/config.c: the network server's configuration
// from the kernel command line (what make run-net and the NET group pass).
#include "host_test.h"
#include "../../servers/netroot/config.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void check_defaults(const struct net_config *c)
{
    assert_int_equal(c->ip, IP(10, 0, 2, 15));
    assert_int_equal(c->mask, IP(255, 255, 255, 0));
    assert_int_equal(c->gw, IP(10, 0, 2, 2));
    assert_false(c->classic);
    assert_true(c->timer);
    assert_false(c->bench);
    assert_int_equal(c->busy_us, NET_BUSY_US_DEFAULT);
    assert_false(c->app_fault);
    assert_int_equal(c->app_hart, NET_APP_HART_AUTO);
}

static void test_defaults(void **state)
{
    (void)state;
    struct net_config c;
    assert_true(net_config_parse(&c, NULL));
    check_defaults(&c);
    assert_true(net_config_parse(&c, ""));
    check_defaults(&c);
    assert_true(net_config_parse(&c, "harts=1 TEST=NET01  console=ttyS0 "));
    check_defaults(&c);
}

static void test_tap_config(void **state)
{
    (void)state;
    struct net_config c;
    assert_true(net_config_parse(&c, "net_ip=10.0.3.2 net_mask=255.255.0.0 net_gw=10.0.3.1 "
                                     "net_poll=classic net_timer=0 net_bench=1 net_busy_us=0 "
                                     "net_app_fault=1 net_app_hart=3"));
    assert_int_equal(c.ip, IP(10, 0, 3, 2));
    assert_int_equal(c.mask, IP(255, 255, 0, 0));
    assert_int_equal(c.gw, IP(10, 0, 3, 1));
    assert_true(c.classic);
    assert_false(c.timer);
    assert_true(c.bench);
    assert_int_equal(c.busy_us, 0);
    assert_true(c.app_fault);
    assert_int_equal(c.app_hart, 3);
    assert_true(net_config_parse(&c, "net_app_hart=0"));
    assert_int_equal(c.app_hart, 0);
    assert_true(net_config_parse(&c, "net_app_hart=255"));
    assert_int_equal(c.app_hart, NET_APP_HART_MAX);
    static const char *const bad_hart[] = {"net_app_hart=256", "net_app_hart=-1",
                                           "net_app_hart=", "net_app_hart=1x", "net_app_hart=auto"};
    for (size_t i = 0; i < sizeof(bad_hart) / sizeof(bad_hart[0]); i++) {
        if (net_config_parse(&c, bad_hart[i]))
            fail_msg("accepted %s", bad_hart[i]);
        assert_int_equal(c.app_hart, NET_APP_HART_AUTO);  // the default stays
    }
    assert_true(net_config_parse(&c, "net_app_fault=yes"));
    assert_false(c.app_fault);  // only "1" turns it on
    assert_true(net_config_parse(&c, "net_busy_us=1000000"));
    assert_int_equal(c.busy_us, NET_BUSY_US_MAX);
    assert_true(net_config_parse(&c, "net_busy_us=007"));
    assert_int_equal(c.busy_us, 7);
    // The last of a repeated key wins (make run-net appends APPEND after its own).
    assert_true(net_config_parse(&c, "net_ip=10.0.3.2 net_ip=192.168.1.9"));
    assert_int_equal(c.ip, IP(192, 168, 1, 9));
    assert_true(net_config_parse(&c, "net_ip=0.0.0.0 net_gw=255.255.255.255"));
    assert_int_equal(c.ip, 0);
    assert_int_equal(c.gw, 0xffffffffu);
}

// Only the exact key: a longer or shorter name, or no '=', is another argument.
static void test_key_boundaries(void **state)
{
    (void)state;
    struct net_config c;
    assert_true(net_config_parse(&c, "xnet_ip=1.2.3.4 net_ipx=1.2.3.4 net_ip "
                                     "net_polling=classic net_bench=10 net_busy=5 net_busy_usx=5"));
    assert_int_equal(c.ip, IP(10, 0, 2, 15));
    assert_false(c.classic);
    assert_false(c.bench);
    assert_int_equal(c.busy_us, NET_BUSY_US_DEFAULT);
}

// A budget that is not a plain decimal up to NET_BUSY_US_MAX is refused, the default kept.
static void test_bad_busy(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "net_busy_us=",     "net_busy_us=-1",      "net_busy_us=1000001", "net_busy_us=5us",
        "net_busy_us=0x10", "net_busy_us=4294967296", "net_busy_us=99999999999",
        "net_busy_us=123456789012345",  // longer than the buffer
        "net_busy_us= 5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct net_config c;
        if (net_config_parse(&c, bad[i]))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(c.busy_us, NET_BUSY_US_DEFAULT);
    }
}

static void test_bad_addresses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "net_ip=10.0.3",      "net_ip=10.0.3.2.1", "net_ip=256.0.0.1",  "net_ip=10..3.2",
        "net_ip=.10.0.3",     "net_ip=10.0.3.",    "net_ip=a.b.c.d",    "net_ip=10.0.3.2x",
        "net_ip=-1.0.0.0",    "net_ip=10.0.3.99999", "net_mask=255.255.255.2555",
        "net_gw=1.2.3.4.",    "net_ip=12345.1.1.1", "net_ip=",
        "net_ip=1.1.1.1111111111111111111111111111111111111111",  // longer than the buffer
        "net_poll=classicclassicclassicclassic",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct net_config c;
        if (net_config_parse(&c, bad[i]))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(c.ip, IP(10, 0, 2, 15));  // the default stays
        assert_false(c.classic);
    }
}

// Random command lines: never a read outside the string (ASan), and a well-formed
// address written among them is always read back.
static void test_random_lines(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed1234;
    for (int n = 0; n < 20000; n++) {
        char line[96];
        size_t len = 0;
        static const char pieces[][12] = {"net_ip=", "net_gw=", "1", "25", ".", " ", "=",
                                          "net_poll=", "classic", "256", "net_", "ip"};
        while (len < 60) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            const char *p = pieces[seed % 12];
            memcpy(line + len, p, strlen(p));
            len += strlen(p);
        }
        line[len] = '\0';
        struct net_config c;
        net_config_parse(&c, line);
        char with[128];
        snprintf(with, sizeof(with), "%s net_ip=172.16.5.4", line);
        net_config_parse(&c, with);
        assert_int_equal(c.ip, IP(172, 16, 5, 4));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_tap_config),
        cmocka_unit_test(test_key_boundaries),
        cmocka_unit_test(test_bad_addresses),
        cmocka_unit_test(test_bad_busy),
        cmocka_unit_test(test_random_lines),
    };
    return cmocka_run_group_tests_name("netconfig", tests, NULL, NULL);
}
