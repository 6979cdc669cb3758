package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM settings chosen for latency (docs/performance.md, "Issue 17: the load test's own JVM,
 * collectors") are the launcher's default, the Dockerfile's (its collector; the heap there is a
 * share of the container's memory) and the load test's default for the pipeline it starts, so
 * that the load test measures what users run.
 */
class LauncherSettingsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern DEFAULT = Pattern.compile("default_java_opts=\"([^\"]*)\"");

  @TempDir
  Path dir;

  private static String launcherDefault() throws Exception {
    Matcher m = DEFAULT.matcher(Files.readString(ROOT.resolve("contextwatch")));
    assertThat(m.find()).as("default_java_opts=\"...\" in ./contextwatch").isTrue();
    return m.group(1);
  }

  @Test
  @DisplayName("the load test starts its pipeline with the launcher's JVM settings, and the Dockerfile uses the same collector settings")
  void oneSetOfSettings() throws Exception {
    String settings = launcherDefault();
    assertThat(settings).contains("-XX:+Use");
    assertThat(Options.parse().pipelineJvmOpts).isEqualTo(settings);
    String entrypoint = Files.readAllLines(ROOT.resolve("Dockerfile")).stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst()
        .orElseThrow();
    Arrays.stream(settings.split(" ")).filter(o -> !o.startsWith("-Xm"))
        .forEach(o -> assertThat(entrypoint).contains("\"" + o + "\""));
  }

  @Test
  @DisplayName("./contextwatch runs java with its settings, and with JAVA_OPTS instead when that is set")
  void javaOptsReplaceTheDefaults() throws Exception {
    Path launcher = dir.resolve("contextwatch");
    Files.copy(ROOT.resolve("contextwatch"), launcher);
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("pom.xml"), "");
    Files.createDirectories(dir.resolve("config"));
    Path jar = Files.createDirectories(dir.resolve("modules/app/target")).resolve("contextwatch.jar");
    Files.writeString(jar, "");
    // newer than every source, so the launcher does not build
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/../java-args\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(run(launcher, null)).isEqualTo(launcherDefault() + " -jar modules/app/target/contextwatch.jar --config x");
    assertThat(run(launcher, "-Xmx64m")).isEqualTo("-Xmx64m -jar modules/app/target/contextwatch.jar --config x");
  }

  private String run(Path launcher, String javaOpts) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--config", "x").redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    env.remove("JAVA_OPTS");
    if (javaOpts != null) {
      env.put("JAVA_OPTS", javaOpts);
    }
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
    return Files.readString(dir.resolve("java-args")).trim();
  }
}
