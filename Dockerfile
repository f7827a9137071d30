# syntax=docker/dockerfile:1
# Build: docker build -t recoup .
# Run:   docker run -p 8080:8080 -v recoup-data:/data recoup
# The web app (designer-ui/): exact dependencies from package-lock.json,
# then vite build into designer-ui/dist, which the Go build embeds.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/designer-ui
COPY designer-ui/package.json designer-ui/package-lock.json designer-ui/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY designer-ui/ ./
COPY api/openapi.yaml /src/api/openapi.yaml
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/designer-ui/dist ./designer-ui/dist
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/recoup/recoup/cli.Version=${VERSION}" -o /out/recoup ./cmd/recoup \
 && mkdir -p /out/data

# The PDF letters need a CJK and a Latin TrueType font (see letter/).
FROM debian:bookworm-slim AS fonts
RUN apt-get update && apt-get install -y --no-install-recommends fonts-droid-fallback fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recoup /recoup
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=fonts /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf /usr/share/fonts/recoup/cjk.ttf
COPY --from=fonts /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/recoup/latin.ttf
ENV RECOUP_DB=sqlite:/data/recoup.db \
    RECOUP_ADDR=0.0.0.0:8080 \
    RECOUP_LOG_FORMAT=json \
    RECOUP_LETTER_FONT=/usr/share/fonts/recoup/cjk.ttf \
    RECOUP_LETTER_LATIN_FONT=/usr/share/fonts/recoup/latin.ttf
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/recoup"]
CMD ["serve"]
