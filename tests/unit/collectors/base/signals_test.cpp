#include "collectors/base/signals.h"

#include <doctest/doctest.h>

#include <csignal>

using cproc::ParseSignal;
using cproc::SignalName;

TEST_CASE("stop signals as runtimes write them: names, short names, numbers, any case") {
  CHECK(ParseSignal("SIGUSR1") == SIGUSR1);  // docker run --stop-signal SIGUSR1
  CHECK(ParseSignal("USR1") == SIGUSR1);
  CHECK(ParseSignal("sigusr1") == SIGUSR1);
  CHECK(ParseSignal("Usr2") == SIGUSR2);
  CHECK(ParseSignal("10") == 10);              // Podman's annotation, docker run --stop-signal 10
  CHECK(ParseSignal("SIGQUIT") == SIGQUIT);    // Dockerfile STOPSIGNAL (nginx images)
  CHECK(ParseSignal("SIGWINCH") == SIGWINCH);  // httpd images
  CHECK(ParseSignal("IOT") == SIGABRT);
  CHECK(ParseSignal("SIGPOLL") == SIGIO);
  CHECK(ParseSignal(" 15\n") == SIGTERM);
}

TEST_CASE("real-time stop signals are numbered as Docker does (systemd's SIGRTMIN+3 = 37)") {
  CHECK(ParseSignal("SIGRTMIN+3") == 37);
  CHECK(ParseSignal("rtmin") == 34);
  CHECK(ParseSignal("RTMAX") == 64);
  CHECK(ParseSignal("SIGRTMAX-2") == 62);
  CHECK(ParseSignal("RTMIN+30") == 64);
  CHECK_FALSE(ParseSignal("RTMIN+31"));
  CHECK_FALSE(ParseSignal("RTMAX-31"));
  CHECK_FALSE(ParseSignal("RTMIN-1"));
  CHECK_FALSE(ParseSignal("RTMAX+1"));
  CHECK_FALSE(ParseSignal("RTMIN+"));
}

TEST_CASE("invalid stop signals are not declared") {
  for (const char* text : {"", "SIG", "0", "65", "-1", "+10", "SIGFOO", "TERM2", "SIG TERM", "1e1",
                           "0x0f", "SIGSIGTERM"}) {
    CAPTURE(text);
    CHECK_FALSE(ParseSignal(text));
  }
  CHECK(ParseSignal("64") == 64);
  CHECK(ParseSignal("1") == SIGHUP);
}

TEST_CASE("signal names for the stop_signal label") {
  CHECK(SignalName(SIGTERM) == "SIGTERM");
  CHECK(SignalName(SIGUSR1) == "SIGUSR1");
  CHECK(SignalName(SIGABRT) == "SIGABRT");  // not its alias IOT
  CHECK(SignalName(SIGIO) == "SIGIO");
  CHECK(SignalName(SIGKILL) == "SIGKILL");
  CHECK(SignalName(34) == "SIGRTMIN");
  CHECK(SignalName(37) == "SIGRTMIN+3");
  CHECK(SignalName(64) == "SIGRTMAX");
  CHECK(SignalName(32) == "SIG32");  // no name: the C library's own
  CHECK(SignalName(33) == "SIG33");
  for (int signal = 1; signal <= 64; ++signal) {  // every name reads back as its number
    CAPTURE(signal);
    CHECK(ParseSignal(SignalName(signal)).value_or(signal) == signal);
  }
}
