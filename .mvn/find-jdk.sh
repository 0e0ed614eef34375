# Sourced by ./starling and ./mvnw: makes JAVA_HOME point at a JDK 21 or newer.
# Order: JAVA_HOME, the java on PATH, then the usual install folders. Prints what to install when none exists.
starling_java_major() {
  # prints the feature version of the java binary $1 (e.g. 17, 21, 25)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
starling_find_jdk() {
  local candidate major noglob=0
  case $- in *f*) noglob=1; set +f ;; esac   # ./mvnw runs with globbing off
  for candidate in "${JAVA_HOME:-}" \
      "$(command -v javac >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v javac)")")")" \
      /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(starling_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      STARLING_JAVA_MAJOR="$major"
      [ "$noglob" = 1 ] && set -f
      return 0
    fi
  done
  [ "$noglob" = 1 ] && set -f
  cat >&2 <<'MSG'
Starling needs a JDK 21 or newer, and none was found (looked at JAVA_HOME, the javac on PATH,
/usr/lib/jvm, /usr/local/lib/jvm, /opt and ~/.sdkman).
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk      (or temurin-21-jdk from Adoptium)
  macOS:          brew install openjdk@21
  any OS:         https://adoptium.net  (Temurin 21 or 25)
then run again, or point JAVA_HOME at it.
MSG
  return 1
}
