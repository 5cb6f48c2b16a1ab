# syntax=docker/dockerfile:1
# The platformctl image for CI systems that run containers (GitLab CI, Jenkins, Tekton).
#   docker build -t platformctl .    docker run --rm -v "$PWD:/work" platformctl --help
ARG PYTHON_VERSION=3.12

# Build stage: build the wheel from the checkout and install it into a virtualenv.
FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/platformctl
WORKDIR /src
COPY pyproject.toml README.md LICENSE CHANGELOG.md ./
COPY src ./src
COPY golden_paths ./golden_paths
COPY docs ./docs
RUN /opt/platformctl/bin/pip install . \
 && /opt/platformctl/bin/platformctl --version

# Runtime stage: git (golden paths are git repositories) and the virtualenv, run unprivileged.
FROM python:${PYTHON_VERSION}-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
# The release workflow passes the repository's address.
ARG SOURCE=""
LABEL org.opencontainers.image.title="platformctl" \
      org.opencontainers.image.description="The command line of an internal developer platform: golden paths, environments, maturity." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${SOURCE}"
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 platformctl \
 && useradd --system --uid 10001 --gid platformctl --create-home --home-dir /home/platformctl \
      --shell /usr/sbin/nologin platformctl
COPY --from=build /opt/platformctl /opt/platformctl
ENV PATH=/opt/platformctl/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["platformctl"]
CMD ["--help"]
