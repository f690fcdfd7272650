FROM wharf-diff-base
# -f docker/app.Dockerfile: its empty docker/app.Dockerfile.dockerignore overrides the context's .dockerignore.
COPY . /all/
COPY logs /logs/
