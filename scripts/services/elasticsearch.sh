#!/usr/bin/env bash
# A real single-node Elasticsearch for the integration tests, from Maven Central's integ-test zip.
#
#   scripts/services/elasticsearch.sh start   fetch (cached), configure, start, wait until healthy, write the env file
#   scripts/services/elasticsearch.sh stop    stop it (data is kept, so start resumes the same node on the same port)
#   scripts/services/elasticsearch.sh env     print the env file (ES_URL, ES_USERNAME, ES_PASSWORD, ES_VERSION)
#   scripts/services/elasticsearch.sh status  exit 0 when the node answers
#   scripts/services/elasticsearch.sh clean   stop it and delete this checkout's node (data, config, password)
#
# Security is on (basic auth with a random bootstrap password; API keys through a small analysis plugin built
# here, see build_analysis_plugin). Every command is idempotent. Settings (environment):
#   NPSWATCH_ES_VERSION   integ-test zip version (default below: the newest on Maven Central; no 9.x zip is published)
#   NPSWATCH_ES_CACHE     where the zip, the unpacked server and the node live (default: see CACHE below)
#   NPSWATCH_ES_ENV_FILE  where to write the env file (default <repo>/.cache/es.env, which the tests read)
#   NPSWATCH_ES_TIMEOUT   seconds to wait for a healthy node (default 240)
#   NPSWATCH_ES_USER      the unprivileged user that runs the server when this script runs as root (default npswatch-es)
#   ES_JAVA_HOME          the JDK (default: Temurin 25 when present, else the `java` on PATH)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VERSION=${NPSWATCH_ES_VERSION:-8.19.21}
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${VERSION}:zip"
TIMEOUT=${NPSWATCH_ES_TIMEOUT:-240}
ES_USER=${NPSWATCH_ES_USER:-npswatch-es}
ENV_FILE=${NPSWATCH_ES_ENV_FILE:-$ROOT/.cache/es.env}
IS_ROOT=0
[[ $(id -u) == 0 ]] && IS_ROOT=1
# Elasticsearch refuses to run as root, and its user must be able to reach the server and node directories:
# /root is mode 700, so as root the cache lives outside it.
if ((IS_ROOT)); then
  CACHE=${NPSWATCH_ES_CACHE:-/var/cache/npswatch}
else
  CACHE=${NPSWATCH_ES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/npswatch}
fi
DIST="$CACHE/elasticsearch-$VERSION"
# One node per checkout (a CI clone elsewhere gets its own), identified by the checkout's path.
NODE="$CACHE/nodes/$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)-$VERSION"
PID_FILE="$NODE/es.pid"

log() { printf 'elasticsearch.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

java_home() {
  if [[ -n ${ES_JAVA_HOME:-} ]]; then
    printf '%s' "$ES_JAVA_HOME"
  elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    printf '%s' /usr/lib/jvm/temurin-25-jdk-amd64
  else
    local java
    java=$(command -v java) || die "no JDK: set ES_JAVA_HOME (Elasticsearch 8 needs Java 17+, 9 needs 21+)"
    dirname "$(dirname "$(readlink -f "$java")")"
  fi
}

# Runs a command as the server's user (the current user unless we are root).
as_es() {
  if ((IS_ROOT)); then
    runuser -u "$ES_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_user() {
  ((IS_ROOT)) || return 0
  id -u "$ES_USER" > /dev/null 2>&1 && return 0
  log "creating system user $ES_USER"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
}

fetch() {
  [[ -x $DIST/bin/elasticsearch ]] && return 0
  mkdir -p "$CACHE/dist"
  local zip="$CACHE/dist/elasticsearch-$VERSION.zip"
  if [[ ! -s $zip ]]; then
    command -v mvn > /dev/null || die "mvn not found: it fetches $ARTIFACT from Maven Central"
    log "fetching $ARTIFACT"
    # Pinned plugin version: the CLI prefix would resolve whatever Maven's defaults are on this machine.
    mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$ARTIFACT" -DoutputDirectory="$CACHE/dist" > "$CACHE/dist/mvn.log" 2>&1 || {
      cat "$CACHE/dist/mvn.log" >&2
      die "could not fetch $ARTIFACT from Maven Central"
    }
  fi
  local tmp
  tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
  unzip -q "$zip" -d "$tmp"
  chmod -R a+rX "$tmp"
  # Rename into place last, so an interrupted unpack is never mistaken for a complete one.
  rm -rf "$DIST"
  mv "$tmp/elasticsearch-$VERSION" "$DIST"
  rm -rf "$tmp"
}

# The zip lacks the analysis-common module, and the .security index's "email" analyzer needs three of its
# components (pattern_capture, unique, uax_url_email): without them no security index, so no API keys and no
# native users. This builds them as a small stable plugin from Lucene classes the zip already ships.
build_analysis_plugin() {
  local home=$1 java=$2 out="$1/plugins/npswatch-analysis" work
  [[ -f $out/named_components.json ]] && return 0
  [[ -x $java/bin/javac ]] || {
    log "no javac in $java: API keys and native users will be unavailable"
    return 0
  }
  work=$(mktemp -d)
  mkdir -p "$work/src/npswatch/analysis" "$work/classes" "$work/plugin"
  cat > "$work/src/npswatch/analysis/PatternCapture.java" << 'JAVA'
package npswatch.analysis;

import java.util.List;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

@NamedComponent("pattern_capture")
public class PatternCapture implements TokenFilterFactory {
  @AnalysisSettings
  public interface Settings {
    @ListSetting(path = "patterns")
    List<String> patterns();

    @BooleanSetting(path = "preserve_original", defaultValue = true)
    boolean preserveOriginal();
  }

  private final Pattern[] patterns;
  private final boolean preserveOriginal;

  @Inject
  public PatternCapture(Settings settings) {
    this.patterns = settings.patterns().stream().map(Pattern::compile).toArray(Pattern[]::new);
    this.preserveOriginal = settings.preserveOriginal();
  }

  @Override
  public TokenStream create(TokenStream input) {
    return new PatternCaptureGroupTokenFilter(input, preserveOriginal, patterns);
  }
}
JAVA
  cat > "$work/src/npswatch/analysis/Unique.java" << 'JAVA'
package npswatch.analysis;

import java.io.IOException;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

@NamedComponent("unique")
public class Unique implements TokenFilterFactory {
  @Override
  public TokenStream create(TokenStream input) {
    return new TokenFilter(input) {
      private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
      private final CharArraySet seen = new CharArraySet(8, false);

      @Override
      public boolean incrementToken() throws IOException {
        while (input.incrementToken()) {
          if (!seen.contains(term.buffer(), 0, term.length())) {
            seen.add(term.toString());
            return true;
          }
        }
        return false;
      }

      @Override
      public void reset() throws IOException {
        super.reset();
        seen.clear();
      }
    };
  }
}
JAVA
  cat > "$work/src/npswatch/analysis/UaxUrlEmail.java" << 'JAVA'
package npswatch.analysis;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

@NamedComponent("uax_url_email")
public class UaxUrlEmail implements TokenizerFactory {
  @Override
  public Tokenizer create() {
    return new UAX29URLEmailTokenizer();
  }
}
JAVA
  "$java/bin/javac" --release 17 -nowarn -d "$work/classes" -cp "$home/lib/*" "$work"/src/npswatch/analysis/*.java
  "$java/bin/jar" --create --file "$work/plugin/npswatch-analysis.jar" -C "$work/classes" .
  cat > "$work/plugin/stable-plugin-descriptor.properties" << PROPS
description=pattern_capture, unique and uax_url_email for the .security index (npswatch test server)
version=1.0.0
name=npswatch-analysis
elasticsearch.version=$VERSION
java.version=17
PROPS
  cat > "$work/plugin/named_components.json" << 'JSON'
{
  "org.elasticsearch.plugin.analysis.TokenFilterFactory": {
    "pattern_capture": "npswatch.analysis.PatternCapture",
    "unique": "npswatch.analysis.Unique"
  },
  "org.elasticsearch.plugin.analysis.TokenizerFactory": {
    "uax_url_email": "npswatch.analysis.UaxUrlEmail"
  }
}
JSON
  chmod -R a+rX "$work/plugin"
  rm -rf "$out"
  mv "$work/plugin" "$out"
  rm -rf "$work"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

port_is_free() {
  node -e "const s=require('net').createServer();s.on('error',()=>process.exit(1));s.listen(+process.argv[1],'127.0.0.1',()=>s.close())" "$1"
}

# Keeps the node's ports across stop/start (clients keep their URL), choosing new ones only when taken.
choose_port() {
  local file="$NODE/$1" port
  if [[ -s $file ]] && port=$(< "$file") && port_is_free "$port"; then
    printf '%s' "$port"
  else
    port=$(free_port)
    printf '%s' "$port" > "$file"
    printf '%s' "$port"
  fi
}

configure() {
  local java=$1 http_port=$2 transport_port=$3
  mkdir -p "$NODE/data" "$NODE/logs"
  if [[ ! -d $NODE/config ]]; then
    cp -r "$DIST/config" "$NODE/config"
  fi
  if [[ ! -s $NODE/password ]]; then
    (umask 077 && head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24 > "$NODE/password")
  fi
  cat > "$NODE/config/elasticsearch.yml" << EOF
# Written by scripts/services/elasticsearch.sh on every start.
cluster.name: npswatch-test
node.name: npswatch-test
path.data: $NODE/data
path.logs: $NODE/logs
network.host: 127.0.0.1
http.port: $http_port
transport.port: $transport_port
discovery.type: single-node
xpack.security.enabled: true
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
xpack.security.authc.api_key.enabled: true
# A nearly full disk must not turn the test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
  mkdir -p "$NODE/config/jvm.options.d"
  printf -- '-Xms512m\n-Xmx512m\n' > "$NODE/config/jvm.options.d/npswatch-heap.options"
  if ((IS_ROOT)); then
    chown -R "$ES_USER:" "$NODE"
    chmod 700 "$NODE"
  fi
  if [[ ! -f $NODE/config/elasticsearch.keystore ]]; then
    as_es env ES_PATH_CONF="$NODE/config" ES_JAVA_HOME="$java" "$DIST/bin/elasticsearch-keystore" create > /dev/null
    # bootstrap.password is the elastic user's password until one is set through the security API.
    as_es env ES_PATH_CONF="$NODE/config" ES_JAVA_HOME="$java" \
      "$DIST/bin/elasticsearch-keystore" add -x -f bootstrap.password < "$NODE/password" > /dev/null
  fi
}

running_pid() {
  [[ -s $PID_FILE ]] || return 1
  local pid
  pid=$(< "$PID_FILE")
  kill -0 "$pid" 2> /dev/null || return 1
  printf '%s' "$pid"
}

healthy() {
  local url=$1
  curl -sf -o /dev/null --max-time 5 -u "elastic:$(< "$NODE/password")" \
    "$url/_cluster/health?wait_for_status=yellow&timeout=3s"
}

write_env() {
  local url=$1
  mkdir -p "$(dirname "$ENV_FILE")"
  local tmp="$ENV_FILE.tmp"
  (
    umask 077
    cat > "$tmp" << EOF
ES_URL=$url
ES_USERNAME=elastic
ES_PASSWORD=$(< "$NODE/password")
ES_VERSION=$VERSION
ES_PID=$(< "$PID_FILE")
ES_NODE_DIR=$NODE
EOF
  )
  mv "$tmp" "$ENV_FILE"
}

start() {
  local started=$SECONDS java http_port transport_port url pid
  mkdir -p "$CACHE"
  if [[ -s $NODE/http_port ]] && running_pid > /dev/null; then
    url="http://127.0.0.1:$(< "$NODE/http_port")"
    if healthy "$url"; then
      write_env "$url"
      log "already running at $url"
      return 0
    fi
  fi
  running_pid > /dev/null && stop
  java=$(java_home)
  ensure_user
  fetch
  build_analysis_plugin "$DIST" "$java"
  mkdir -p "$NODE"
  http_port=$(choose_port http_port)
  transport_port=$(choose_port transport_port)
  configure "$java" "$http_port" "$transport_port"
  rm -f "$PID_FILE"
  log "starting Elasticsearch $VERSION on 127.0.0.1:$http_port (Java: $java)"
  # ES_JAVA_OPTS is cleared so a caller's setting cannot override the heap in jvm.options.d.
  as_es env ES_PATH_CONF="$NODE/config" ES_JAVA_HOME="$java" ES_JAVA_OPTS="" \
    "$DIST/bin/elasticsearch" -d -p "$PID_FILE" > "$NODE/logs/stdout.log" 2>&1 \
    || {
      tail -n 40 "$NODE/logs/stdout.log" "$NODE/logs/npswatch-test.log" 2> /dev/null >&2 || true
      die "Elasticsearch did not start"
    }
  url="http://127.0.0.1:$http_port"
  local deadline=$((SECONDS + TIMEOUT))
  until healthy "$url"; do
    if ! running_pid > /dev/null; then
      tail -n 40 "$NODE/logs/npswatch-test.log" >&2 2> /dev/null || true
      die "Elasticsearch exited during startup (logs: $NODE/logs)"
    fi
    ((SECONDS < deadline)) || {
      stop
      die "Elasticsearch not healthy after ${TIMEOUT}s (logs: $NODE/logs)"
    }
    sleep 1
  done
  write_env "$url"
  log "healthy at $url after $((SECONDS - started))s; env in $ENV_FILE"
}

stop() {
  local pid
  rm -f "$ENV_FILE"
  pid=$(running_pid) || {
    rm -f "$PID_FILE"
    return 0
  }
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 1
  done
  kill -0 "$pid" 2> /dev/null && kill -KILL "$pid"
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env)
    [[ -f $ENV_FILE ]] || die "no env file at $ENV_FILE: run scripts/services/elasticsearch.sh start"
    cat "$ENV_FILE"
    ;;
  status)
    [[ -s $NODE/http_port ]] && running_pid > /dev/null && healthy "http://127.0.0.1:$(< "$NODE/http_port")"
    ;;
  clean)
    stop
    rm -rf "$NODE"
    ;;
  *)
    printf 'usage: %s start|stop|env|status|clean\n' "$0" >&2
    exit 2
    ;;
esac
