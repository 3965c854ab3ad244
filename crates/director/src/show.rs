//! Loading a show: the definition, its catalog, the products in run-of-show order, the output
//! profiles and the music.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use show::{Catalog, OutputProfile, Product, RoomConfig, ShowConfig, SourceError};

use crate::DirectorError;

/// The output profiles shipped in `pipelines/`, built into the binary so it runs from anywhere.
const BUILTIN_PROFILES: &[(&str, &str)] = &[
    ("landscape-720p", include_str!("../../../pipelines/landscape-720p.toml")),
    ("vertical-720x1280", include_str!("../../../pipelines/vertical-720x1280.toml")),
    ("vertical-1080x1920", include_str!("../../../pipelines/vertical-1080x1920.toml")),
    ("landscape-1080p", include_str!("../../../pipelines/landscape-1080p.toml")),
    ("preview", include_str!("../../../pipelines/preview.toml")),
];

/// Every output profile known to a show: the built-in ones, overridden or extended by
/// `pipelines/*.toml` next to the show file.
#[derive(Clone, Debug)]
pub struct ProfileSet {
    profiles: Vec<OutputProfile>,
}

impl ProfileSet {
    pub fn load(extra_dirs: &[PathBuf]) -> Result<ProfileSet, DirectorError> {
        let mut profiles = Vec::new();
        for (name, text) in BUILTIN_PROFILES {
            let p = OutputProfile::parse(Path::new(&format!("pipelines/{name}.toml")), text).map_err(DirectorError::config)?;
            profiles.push(p);
        }
        for dir in extra_dirs {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect();
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(&f).map_err(|e| DirectorError::config(SourceError::new(&f, e.to_string())))?;
                let p = OutputProfile::parse(&f, &text).map_err(DirectorError::config)?;
                profiles.retain(|q| q.name != p.name);
                profiles.push(p);
            }
        }
        Ok(ProfileSet { profiles })
    }

    pub fn get(&self, name: &str) -> Result<&OutputProfile, DirectorError> {
        self.profiles.iter().find(|p| p.name == name).ok_or_else(|| {
            DirectorError::Setup(format!(
                "no output profile `{name}`: known profiles are {} (add pipelines/{name}.toml next to the show)",
                self.names().join(", ")
            ))
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.profiles.iter().map(|p| p.name.clone()).collect()
    }
}

/// A loaded show, ready to build rooms from.
pub struct Show {
    pub config: ShowConfig,
    pub catalog: Arc<Catalog>,
    /// Products in run-of-show order.
    pub products: Arc<Vec<Product>>,
    pub profiles: ProfileSet,
    /// Rooms with their own catalog (local prices): the catalog and its products in the
    /// show's run-of-show order.
    pub room_catalogs: std::collections::HashMap<String, (Arc<Catalog>, Arc<Vec<Product>>)>,
}

impl Show {
    /// Loads `show.toml`, its catalog (or `catalog_override`) and profiles.
    pub fn load(path: &Path, catalog_override: Option<&Path>) -> Result<Show, DirectorError> {
        let mut config = ShowConfig::load(path).map_err(DirectorError::Config)?;
        if let Some(c) = catalog_override {
            config.catalog = c.to_path_buf();
        }
        let catalog = show::catalog::load(&config.catalog, config.currency).map_err(DirectorError::Config)?;
        for n in &catalog.notices {
            tracing::warn!("{n}");
        }
        let products = if config.run_of_show.products.is_empty() {
            catalog.products.clone()
        } else {
            let mut out = Vec::new();
            for id in &config.run_of_show.products {
                match catalog.product(id) {
                    Some(p) => out.push(p.clone()),
                    None => {
                        let known: Vec<&str> = catalog.products.iter().map(|p| p.id.as_str()).collect();
                        return Err(DirectorError::Config(
                            SourceError::new(path, format!("product `{id}` is not in the catalog (sellable products: {})", known.join(", ")))
                                .field("run_of_show.products")
                                .into(),
                        ));
                    }
                }
            }
            out
        };
        let mut room_catalogs = std::collections::HashMap::new();
        for room in &config.rooms {
            let Some(file) = &room.catalog else { continue };
            let local = show::catalog::load(file, room.currency.unwrap_or(config.currency)).map_err(DirectorError::Config)?;
            let mut ordered = Vec::new();
            for p in &products {
                match local.product(&p.id) {
                    Some(lp) => ordered.push(lp.clone()),
                    None => {
                        return Err(DirectorError::Config(
                            SourceError::new(file, format!("room `{}`: this catalog has no product `{}` (a room's catalog carries the show's products under the same handles, with local prices)", room.id, p.id))
                                .into(),
                        ));
                    }
                }
            }
            room_catalogs.insert(room.id.clone(), (Arc::new(local), Arc::new(ordered)));
        }
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let profiles = ProfileSet::load(&[dir.join("pipelines")])?;
        for room in &config.rooms {
            profiles.get(&room.profile).map_err(|e| DirectorError::Setup(format!("room `{}`: {e}", room.id)))?;
        }
        Ok(Show { catalog: Arc::new(catalog), products: Arc::new(products), config, profiles, room_catalogs })
    }

    /// The rooms to run: all, or the one named.
    pub fn rooms(&self, only: Option<&str>) -> Result<Vec<RoomConfig>, DirectorError> {
        match only {
            None => Ok(self.config.rooms.clone()),
            Some(id) => match self.config.room(id) {
                Some(r) => Ok(vec![r.clone()]),
                None => Err(DirectorError::Setup(format!(
                    "no room `{id}` in the show (rooms: {})",
                    self.config.rooms.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
                ))),
            },
        }
    }

    /// The catalog and products a room sells from: its own, or the show's.
    pub fn room_catalog(&self, room: &str) -> (Arc<Catalog>, Arc<Vec<Product>>) {
        match self.room_catalogs.get(room) {
            Some((c, p)) => (c.clone(), p.clone()),
            None => (self.catalog.clone(), self.products.clone()),
        }
    }

    pub fn product_title(&self, index: Option<usize>) -> String {
        index.and_then(|i| self.products.get(i)).map_or("—".to_string(), |p| p.title.clone())
    }
}
