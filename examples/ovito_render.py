"""Render ARISE results with OVITO's Tachyon renderer, headless: structure types, uncertainty, SPM map.

Builds a small Voronoi polycrystal (columnar grains, viewed from the top), runs ``ARISEModifier`` in
SPM-projection mode and writes three PNG images to the output folder:

* ``structure_types.png`` — atoms coloured by ARISE structure type, with a legend of the types present
  (:func:`arisekit.ovito.structure_legend`);
* ``mutual_information.png`` — atoms coloured by the mutual information (uncertainty, nats) with
  ``ColorCodingModifier``: grain boundaries light up;
* ``spm_mutual_information.png`` — the SPM voxel grid (one cell per box) coloured by mutual information.

OVITO's renderers need a Vulkan driver; on Debian/Ubuntu without a GPU:
``apt-get install libvulkan1 mesa-vulkan-drivers`` (software driver).

    python examples/ovito_render.py                        # -> ./arise_ovito_images
    python examples/ovito_render.py out_dir --model my_model_dir --image-size 1200 900
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="arise_ovito_images", help="output folder")
    ap.add_argument("--model", default="", help="ARISE model directory (default: the shipped model)")
    ap.add_argument(
        "--grains", nargs="+", default=["fcc", "bcc", "hcp"], help="prototype class of each grain"
    )
    ap.add_argument("--n-grains", type=int, default=5)
    ap.add_argument(
        "--size",
        nargs=3,
        type=float,
        default=[60.0, 60.0, 10.0],
        metavar=("LX", "LY", "LZ"),
        help="sample box (Å)",
    )
    ap.add_argument("--box-size", type=float, default=12.0, help="SPM box edge (Å)")
    ap.add_argument("--stride", type=float, default=3.0, help="SPM stride (Å)")
    ap.add_argument("--n-samples", type=int, default=50, help="Monte-Carlo dropout samples")
    ap.add_argument(
        "--box-descriptors",
        "--spm-mode",
        dest="box_descriptors",
        choices=["fast", "exact"],
        default="exact",
        help="how SPM boxes are described (--spm-mode is the older name)",
    )
    ap.add_argument("--image-size", nargs=2, type=int, default=[1100, 800], metavar=("W", "H"))
    ap.add_argument("--seed", type=int, default=2)
    return ap.parse_args(argv)


#: Legend: vertical, in the free space right of the square sample (Qt.AlignRight | Qt.AlignVCenter).
LEGEND = dict(alignment=0x0002 | 0x0080, orientation=0x2, offset_x=-0.01, legend_size=0.5, font_size=0.05)


def render(viewport, renderer, path: Path, size) -> Path:
    viewport.zoom_all(size=tuple(size))
    viewport.render_image(size=tuple(size), filename=str(path), renderer=renderer, background=(1.0, 1.0, 1.0))
    print(f"wrote {path}")
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    from ovito.io.ase import ase_to_ovito
    from ovito.modifiers import ColorCodingModifier
    from ovito.pipeline import Pipeline, StaticSource
    from ovito.vis import ColorLegendOverlay, TachyonRenderer, Viewport

    from arisekit.ovito import ARISEModifier, legend_types, structure_legend
    from arisekit.samples import polycrystal

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sample = polycrystal(
        args.grains, size=args.size, n_grains=args.n_grains, seed=args.seed, rotation="z", species="Cu"
    )
    print(f"sample: {len(sample)} atoms, grains {sample.info['grain_classes']}")

    source = ase_to_ovito(sample)
    particle_vis = source.particles_.vis  # visual elements stay editable after the data is in the pipeline
    particle_vis.radius = 1.1
    pipeline = Pipeline(source=StaticSource(data=source))
    arise = ARISEModifier(
        mode="spm",
        project_to_atoms=True,
        box_size=args.box_size,
        stride=args.stride,
        box_descriptors=args.box_descriptors,
        n_samples=args.n_samples,
        model_path=args.model,
    )
    pipeline.modifiers.append(arise)
    data = pipeline.compute()
    fractions = {
        t.name: int(np.count_nonzero(np.asarray(data.particles["Structure Type"]) == t.id))
        for t in data.particles["Structure Type"].types
    }
    print("atoms per structure type:", {k: v for k, v in fractions.items() if v})
    print("legend:", legend_types(data))
    pipeline.add_to_scene()

    renderer = TachyonRenderer(ambient_occlusion=False, shadows=False)
    vp = Viewport(type=Viewport.Type.Top)

    # 1) structure types (colours set by the modifier) with a legend of the types present in the frame
    legend = structure_legend(pipeline=pipeline, title="ARISE")
    vp.overlays.append(legend)
    render(vp, renderer, out / "structure_types.png", args.image_size)
    vp.overlays.remove(legend)

    # 2) mutual information; ARISE is not recomputed (the colour coding is downstream of its cached result)
    mi = np.asarray(data.particles["Mutual Information"])
    top = float(np.nanmax(mi)) if np.isfinite(mi).any() else 1.0
    coding = ColorCodingModifier(
        property="Mutual Information",
        gradient=ColorCodingModifier.Viridis(),
        auto_adjust_range=False,
        start_value=0.0,
        end_value=max(top, 1e-6),
    )
    pipeline.modifiers.append(coding)
    legend = ColorLegendOverlay(modifier=coding, title="MI (nats)", **LEGEND)
    vp.overlays.append(legend)
    render(vp, renderer, out / "mutual_information.png", args.image_size)

    # 3) the SPM map itself: the voxel grid coloured by mutual information, particles hidden
    particle_vis.enabled = False
    arise.grid_vis.enabled = True
    arise.grid_vis.transparency = 0.0
    arise.grid_vis.highlight_grid_lines = False
    arise.grid_vis.color_mapping_property = "Mutual Information"
    arise.grid_vis.color_mapping_gradient = ColorCodingModifier.Viridis()
    arise.grid_vis.color_mapping_interval = (0.0, max(top, 1e-6))
    render(vp, renderer, out / "spm_mutual_information.png", args.image_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
