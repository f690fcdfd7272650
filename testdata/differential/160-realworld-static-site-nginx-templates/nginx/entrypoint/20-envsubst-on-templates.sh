#!/bin/sh
# Renders every *.template under /etc/nginx/templates into /etc/nginx/conf.d, replacing ${VAR} only for the
# environment variables whose names match NGINX_ENVSUBST_FILTER (busybox has no envsubst: sed does it).
set -e
template_dir=/etc/nginx/templates
output_dir=/etc/nginx/conf.d
suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
script=
for var in $(env | cut -d= -f1 | grep -E "${NGINX_ENVSUBST_FILTER:-.}" | sort); do
    eval "value=\${$var}"
    script="$script -e s|\${$var}|$value|g"
done
find "$template_dir" -follow -type f -name "*$suffix" | sort | while read -r template; do
    relative=${template#"$template_dir/"}
    output="$output_dir/${relative%"$suffix"}"
    mkdir -p "$(dirname "$output")"
    sed $script "$template" > "$output"
done
