# syntax=docker/dockerfile:1
# Build: docker build -t recoup .
# Run:   docker run -p 8080:8080 -v recoup-data:/data recoup
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/recoup/recoup/cli.Version=${VERSION}" -o /out/recoup ./cmd/recoup \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recoup /recoup
COPY --from=build --chown=65532:65532 /out/data /data
ENV RECOUP_DB=sqlite:/data/recoup.db \
    RECOUP_ADDR=0.0.0.0:8080 \
    RECOUP_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/recoup"]
CMD ["serve"]
