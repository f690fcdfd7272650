# -f build/app.Dockerfile: its own build/app.Dockerfile.dockerignore applies (paths relative to the context),
# neither the context's .dockerignore nor a Dockerfile.dockerignore there.
FROM wharf-diff-base
COPY . /ctx/
RUN find /ctx | sort > /ctx-listing
