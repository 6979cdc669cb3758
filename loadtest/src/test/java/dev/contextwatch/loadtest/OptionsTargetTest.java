package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OptionsTargetTest {
  @Test
  @DisplayName("without --embedded, --otlp, --api or --pg-url the pipeline runs in a JVM of its own")
  void spawnedByDefault() {
    assertThat(Options.parse("--sessions", "10").target).isEqualTo(Options.TargetKind.SPAWNED);
    assertThat(Options.parse("--ceiling").target).isEqualTo(Options.TargetKind.SPAWNED);
    assertThat(Options.parse("--embedded").target).isEqualTo(Options.TargetKind.EMBEDDED);
    assertThat(Options.parse("--otlp", "http://127.0.0.1:4318").target).isEqualTo(Options.TargetKind.RUNNING);
    assertThat(Options.parse("--api", "http://127.0.0.1:8080").target).isEqualTo(Options.TargetKind.RUNNING);
    assertThat(Options.parse("--sessions", "10").arguments).containsExactly("--sessions", "10");
  }

  @Test
  @DisplayName("--embedded with a running pipeline's address, and --ceiling against a running pipeline without --pg-url, are refused")
  void contradictions() {
    assertThatThrownBy(() -> Options.parse("--embedded", "--otlp", "http://127.0.0.1:4318"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--embedded starts its own pipeline");
    assertThatThrownBy(() -> Options.parse("--otlp", "http://127.0.0.1:4318", "--ceiling"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("needs --pg-url");
  }

  @Test
  @DisplayName("--pipeline-jvm-opts is split on spaces")
  void jvmOptions() {
    assertThat(PipelineProcess.jvmOptions("  -XX:+UseZGC   -Xmx1g ")).containsExactly("-XX:+UseZGC", "-Xmx1g");
    assertThat(PipelineProcess.jvmOptions("")).isEmpty();
  }

  @Test
  @DisplayName("--otlp and --api take comma-separated URLs, one per node")
  void severalUrls() {
    Options options = Options.parse("--otlp", "http://a:4318,http://b:4318", "--api", "http://a:8080,http://b:8080,http://c:8080");
    assertThat(options.otlp).extracting(URI::toString).containsExactly("http://a:4318", "http://b:4318");
    assertThat(options.api).extracting(URI::toString).containsExactly("http://a:8080", "http://b:8080", "http://c:8080");
    assertThat(Options.parse().otlp).extracting(URI::toString).containsExactly("http://127.0.0.1:4318");
  }

  @Test
  @DisplayName("--nodes starts nodes in cluster mode with the webhook sink by default; kill, restart and join take shares of the run")
  void nodes() {
    Options options = Options.parse("--nodes", "3", "--kill-node", "2", "--kill-at", "33%", "--restart-at", "0.66", "--join-at", "50%");
    assertThat(options.target).isEqualTo(Options.TargetKind.SPAWNED);
    assertThat(options.cluster).isTrue();
    assertThat(options.webhookSink).isTrue();
    assertThat(options.killAt).isEqualTo(0.33);
    assertThat(options.restartAt).isEqualTo(0.66);
    assertThat(options.joinAt).isEqualTo(0.5);
    assertThat(Options.parse("--nodes", "2", "--no-cluster", "--no-webhook-sink").cluster).isFalse();
    assertThat(Options.parse("--nodes", "2", "--no-webhook-sink").webhookSink).isFalse();
    assertThat(Options.parse().webhookSink).as("one node: no sink").isFalse();
  }

  @Test
  @DisplayName("node faults that cannot happen are refused, naming the option")
  void impossibleFaults() {
    assertRefused("--nodes 0", "--nodes must be at least 1");
    assertRefused("--nodes 2 --otlp http://a:4318", "--nodes starts the nodes itself");
    assertRefused("--nodes 3 --kill-node 2", "--kill-node and --kill-at go together");
    assertRefused("--nodes 3 --kill-node 4 --kill-at 10%", "--kill-node names one of the --nodes, 1 .. 3");
    assertRefused("--kill-node 1 --kill-at 10%", "needs at least two of them");
    assertRefused("--nodes 3 --kill-node 1 --kill-at 50% --restart-at 40%", "--restart-at needs --kill-at, and comes after it");
    assertRefused("--join-at 50%", "--join-at needs --nodes 2 or more");
    assertRefused("--webhook-sink", "it needs --nodes 2 or more");
    assertThatThrownBy(() -> Options.parse("--nodes", "3", "--kill-node", "1", "--kill-at", "150%"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("'150%' is not a share of the run");
  }

  private static void assertRefused(String args, String message) {
    assertThatThrownBy(() -> Options.parse(args.split(" "))).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("--warmup takes a duration like --duration, none by default; a negative or unreadable one is refused, naming --warmup")
  void warmup() {
    assertThat(Options.parse().warmup).isZero();
    assertThat(Options.parse("--warmup", "20s").warmup).hasSeconds(20);
    assertThat(Options.parse("--warmup", "1500ms").warmup).hasMillis(1500);
    assertThat(Options.parse("--warmup", "0s").warmup).isZero();
    assertThatThrownBy(() -> Options.parse("--warmup", "-5s"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--warmup must be 0 or more");
    assertThatThrownBy(() -> Options.parse("--warmup", "soon"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--warmup").hasMessageContaining("'soon'");
  }
}
