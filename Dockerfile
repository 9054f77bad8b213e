# asession in a container image. IBM's ascp cannot be redistributed, so the
# image holds asession only; add ascp with a derived image
# (examples/container/Dockerfile.ascp) or a mounted folder (README,
# "Container image").
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t asession .
#   docker run --rm -i -v /opt/ibm-aspera-sdk:/home/nonroot/.aspera/sdk:ro asession < spec.json

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same static build as `make build` (a test runs this line on the host).
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/asession ./cmd/asession

# Not scratch: asession itself needs nothing, but IBM's ascp is linked
# against glibc and the C++ runtime, which this base has, with CA
# certificates, /tmp and the unprivileged user nonroot (65532).
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/asession /usr/local/bin/asession
USER nonroot:nonroot
# ~/.aspera/sdk is where asession looks for the Transfer SDK's ascp.
ENV HOME=/home/nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["asession"]
