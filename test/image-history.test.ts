import { describe, expect, it } from "vitest";
import {
  cleanCreatedBy,
  pairHistoryWithLayers,
  readHistory,
} from "../src/image/history.js";
import { readImage } from "../src/image/image.js";
import {
  imageConfig,
  layer,
  makeTempDir,
  writeLegacyImage,
  writeOciImage,
  type HistoryEntry,
} from "./helpers/image-archive.js";
import { file } from "./helpers/image-tar.js";

describe("cleanCreatedBy", () => {
  it.each([
    ['/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]'],
    ["/bin/sh -c #(nop) COPY file:4a1b2c in /app ", "COPY file:4a1b2c in /app"],
    ["/bin/sh -c #(nop) WORKDIR /srv", "WORKDIR /srv"],
    ["/bin/sh -c apt-get update", "RUN apt-get update"],
    ["|2 VERSION=1.2 MODE=fast /bin/sh -c make install", "RUN make install"],
    [
      "RUN /bin/sh -c apt-get update && rm -rf /tmp/x # buildkit",
      "RUN apt-get update && rm -rf /tmp/x",
    ],
    ["RUN |1 NODE_ENV=production /bin/sh -c npm ci # buildkit", "RUN npm ci"],
    ["COPY . /app # buildkit", "COPY . /app"],
    [
      "COPY --from=build /out /usr/local/bin # buildkit",
      "COPY --from=build /out /usr/local/bin",
    ],
    [
      "RUN /bin/bash -o pipefail -c curl x | sh # buildkit",
      "RUN /bin/bash -o pipefail -c curl x | sh",
    ],
    ["ENV PATH=/usr/local/bin:/usr/bin", "ENV PATH=/usr/local/bin:/usr/bin"],
    [
      "# debian.sh --arch 'amd64' out/ 'bookworm'",
      "# debian.sh --arch 'amd64' out/ 'bookworm'",
    ],
  ])("rewrites %j", (createdBy, expected) => {
    expect(cleanCreatedBy(createdBy)).toBe(expected);
  });

  it("keeps a multi-line heredoc body", () => {
    const text = "RUN /bin/sh -c <<EOF\napt-get update\nEOF # buildkit";
    expect(cleanCreatedBy(text)).toBe("RUN <<EOF\napt-get update\nEOF");
  });
});

describe("readHistory", () => {
  it("reads fields and defaults empty_layer to false", () => {
    const steps = readHistory({
      history: [
        {
          created: "2024-01-01T00:00:00Z",
          created_by: "/bin/sh -c #(nop) ENV A=1",
          empty_layer: true,
        },
        { created_by: "/bin/sh -c true", comment: "note" },
        {},
      ],
    });
    expect(steps.map((s) => s.emptyLayer)).toEqual([true, false, false]);
    expect(steps[0]?.instruction).toBe("ENV A=1");
    expect(steps[0]?.created).toBe("2024-01-01T00:00:00Z");
    expect(steps[1]?.comment).toBe("note");
    expect(steps[2]?.createdBy).toBeUndefined();
    expect(steps[2]?.instruction).toBeUndefined();
  });

  it("returns no steps without a history array", () => {
    expect(readHistory({})).toEqual([]);
  });
});

describe("pairHistoryWithLayers", () => {
  const history = readHistory({
    history: [
      { created_by: "/bin/sh -c #(nop) ADD file:aa in / " },
      { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
      { created_by: "RUN /bin/sh -c apt-get update # buildkit" },
      { created_by: "ENV X=1", empty_layer: true },
      { created_by: "COPY app /app # buildkit" },
    ],
  });

  it("pairs steps with layers and skips empty layers", () => {
    const pairing = pairHistoryWithLayers(history, 3);
    expect(pairing.matched).toBe(true);
    expect(pairing.steps.map((s) => s?.instruction)).toEqual([
      "ADD file:aa in /",
      "RUN apt-get update",
      "COPY app /app",
    ]);
    expect(pairing.steps.map((s) => s?.index)).toEqual([0, 2, 4]);
  });

  it("labels every layer unknown when counts disagree", () => {
    for (const layerCount of [2, 4]) {
      const pairing = pairHistoryWithLayers(history, layerCount);
      expect(pairing.matched).toBe(false);
      expect(pairing.steps).toHaveLength(layerCount);
      expect(pairing.steps.every((s) => s === undefined)).toBe(true);
    }
  });
});

describe("readImage history pairing", () => {
  const layers = [layer([file("a", "1")]), layer([file("b", "2")])];
  const history: HistoryEntry[] = [
    { created_by: "/bin/sh -c #(nop) ADD file:aa in / " },
    { created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    { created_by: "|1 A=1 /bin/sh -c echo $A > /b" },
  ];

  it.each([
    ["legacy", writeLegacyImage],
    ["OCI", writeOciImage],
  ])("labels layers in the %s layout", async (_, write) => {
    const root = makeTempDir();
    write(root, layers, imageConfig(layers, { history }));
    const image = await readImage(root);
    expect(image.historyMatched).toBe(true);
    expect(image.history).toHaveLength(3);
    expect(image.layers.map((l) => l.step?.instruction)).toEqual([
      "ADD file:aa in /",
      "RUN echo $A > /b",
    ]);
  });

  it("leaves layers unknown when a step is missing", async () => {
    const root = makeTempDir();
    writeOciImage(
      root,
      layers,
      imageConfig(layers, { history: history.slice(0, 2) }),
    );
    const image = await readImage(root);
    expect(image.historyMatched).toBe(false);
    expect(image.layers.map((l) => l.step)).toEqual([undefined, undefined]);
  });
});
