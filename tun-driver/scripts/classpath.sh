# Sourced by the tun-driver scripts: sets REPO, JAVA and USERTCP_CP (tun-driver classes + JNA),
# compiling the reactor up to tun-driver first when its classes are missing or older than sources.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=$(command -v java); fi
classes="$REPO/tun-driver/target/classes"
stamp="$classes/io/usertcp/link/PacketLink.class"
if [ ! -f "$stamp" ] || [ -n "$(find "$REPO/tun-driver/src/main" -newer "$stamp" -name '*.java' -print -quit)" ]; then
  echo "building tun-driver (mvn -B -q -pl tun-driver -am compile)..." >&2
  if ! log=$(cd "$REPO" && mvn -B -q -Dstyle.color=never -pl tun-driver -am compile 2>&1); then
    echo "$log" >&2; echo "build failed" >&2; exit 1
  fi
fi
jna_version=$(sed -n 's:.*<jna.version>\(.*\)</jna.version>.*:\1:p' "$REPO/pom.xml" | head -1)
jna_jar="${MAVEN_REPO:-$HOME/.m2/repository}/net/java/dev/jna/jna/$jna_version/jna-$jna_version.jar"
if [ ! -f "$jna_jar" ]; then
  (cd "$REPO" && mvn -B -q dependency:get -Dartifact="net.java.dev.jna:jna:$jna_version") >&2 || true
fi
[ -f "$jna_jar" ] || { echo "JNA $jna_version not found at $jna_jar (run mvn -B verify once)" >&2; exit 1; }
USERTCP_CP="$classes:$jna_jar"
# JDK 22+ warns when JNA loads its native library unless native access is enabled.
JAVA_OPTS=(--enable-native-access=ALL-UNNAMED)
